import importlib.util
from datetime import date
from pathlib import Path

from odoo.fields import Command
from odoo.tests.common import TransactionCase


def load_migration(relative_path):
    """The module of a migration script of this add-on (``migrations/<version>/...``),
    so that a test runs its ``migrate(cr, version)`` as an upgrade would."""
    path = Path(__file__).parents[2] / relative_path
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AftersalesCase(TransactionCase):
    """Fixtures shared by the module's tests: one user per role, two companies, a
    dealer's catalogue (a serial-tracked espresso machine, a maintenance fee) and
    contract templates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.aftersales_invoice_post = False
        cls.company_b = cls.env["res.company"].create({"name": "Other Company B"})
        cls._create_users()
        cls._create_partners()
        cls._create_catalogue()

    @classmethod
    def _create_calendar(cls, name, tz, days=5):
        """A working calendar of ``days`` days a week, 8-12 and 13-17 in ``tz``."""
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning" if start < 12 else "afternoon",
                        }
                    )
                    for day in range(days)
                    for start, end in ((8, 12), (13, 17))
                ],
            }
        )

    @classmethod
    def _new_test_users(cls, *users):
        """The users that ``new_test_user`` makes of each dict of ``users`` (a ``login``,
        ``groups`` as comma-separated xml ids, any other field of res.users), created in
        one batch: half the queries of one ``create`` each. As ``new_test_user`` does,
        the password is the login (padded to 8 characters) and the e-mail is made of the
        login's first letter (``a.a@example.com``) unless given."""
        vals_list = []
        for user in users:
            vals = dict(user)
            login, groups = vals["login"], vals.pop("groups")
            vals_list.append(
                {
                    "password": login.ljust(8, "x"),
                    "email": f"{login[0]}.{login[0]}@example.com",
                    **vals,
                    "group_ids": [Command.set([cls.env.ref(g).id for g in groups.split(",")])],
                }
            )
        return cls.env["res.users"].create(vals_list)

    @classmethod
    def _create_users(cls):
        """One user per job, each with exactly that job's groups."""
        (
            cls.user_technician,
            cls.user_manager,
            cls.user_accountant,
            cls.user_salesperson,
            cls.user_storekeeper,
        ) = cls._new_test_users(
            {
                "login": "as_technician",
                "name": "Tina Technician",
                "groups": "aftersales.group_aftersales_user",
            },
            {
                "login": "as_manager",
                "name": "Marco Manager",
                "groups": "aftersales.group_aftersales_manager",
            },
            {
                "login": "as_accountant",
                "name": "Anna Accountant",
                "groups": "account.group_account_invoice",
            },
            {
                "login": "as_salesperson",
                "name": "Sara Salesperson",
                "groups": "sales_team.group_sale_salesman",
            },
            {
                "login": "as_storekeeper",
                "name": "Stefano Storekeeper",
                "groups": "stock.group_stock_user",
            },
        )

    @classmethod
    def _create_partners(cls):
        cls.customer = cls.env["res.partner"].create(
            {"name": "Bar Centrale S.r.l.", "is_company": True, "email": "info@barcentrale.example"}
        )
        cls.customer_contact, cls.customer_other, cls.customer_b = cls.env["res.partner"].create(
            [
                {
                    "name": "Giulia Rossi",
                    "parent_id": cls.customer.id,
                    "email": "giulia@barcentrale.example",
                },
                {"name": "Pasticceria Dolce Vita", "is_company": True},
                {
                    "name": "Caffè Lontano S.p.A.",
                    "is_company": True,
                    "company_id": cls.company_b.id,
                },
            ]
        )
        cls.user_portal, cls.user_portal_other, cls.user_portal_b = cls._new_test_users(
            {
                "login": "as_portal",
                "name": "Giulia Rossi (portal)",
                "groups": "base.group_portal",
                "partner_id": cls.customer_contact.id,
            },
            {
                "login": "as_portal_other",
                "name": "Dolce Vita (portal)",
                "groups": "base.group_portal",
                "partner_id": cls.customer_other.id,
            },
            {
                "login": "as_portal_b",
                "name": "Caffè Lontano (portal)",
                "groups": "base.group_portal",
                "partner_id": cls.customer_b.id,
                "company_id": cls.company_b.id,
                "company_ids": [Command.set(cls.company_b.ids)],
            },
        )

    @classmethod
    def _create_catalogue(cls):
        cls.tax_22 = cls.env["account.tax"].create(
            {"name": "IVA 22% (test)", "amount": 22.0, "type_tax_use": "sale"}
        )
        cls.fee_product = cls.env["product.product"].create(
            {
                "name": "Full-service maintenance",
                "type": "service",
                "list_price": 600.0,
                "invoice_policy": "order",
                "taxes_id": [Command.set(cls.tax_22.ids)],
            }
        )
        cls.machine = cls.env["product.product"].create(
            {
                "name": "Espresso machine Aurora 2GR",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 5000.0,
                "aftersales_warranty_months": 24,
            }
        )
        cls.grinder = cls.env["product.product"].create(
            {"name": "Grinder Macina 64", "type": "consu", "list_price": 800.0}
        )
        cls.template = cls.env["aftersales.contract.template"].create(
            {
                "name": "Full service 12 months",
                "duration_months": 12,
                "billing_period": "quarterly",
                "billing_mode": "advance",
                "period_alignment": "start",
                "generated_state": "active",
                "first_period_billing": "contract",
                "renewal_type": "tacit",
                "notice_days": 90,
                "response_hours": 8.0,
                "resolution_hours": 24.0,
            }
        )
        cls.fee_product.aftersales_contract_template_id = cls.template

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _run_cron(self, xmlid):
        """Run a cron as the scheduler would, on the test transaction."""
        with self.enter_registry_test_mode():
            self.env.ref(xmlid).method_direct_trigger()

    @classmethod
    def _create_lot(cls, name, product=None, **vals):
        return cls.env["stock.lot"].create(
            {"name": name, "product_id": (product or cls.machine).id, **vals}
        )

    @classmethod
    def _fee_line(cls, price=300.0, qty=1.0, **vals):
        return Command.create(
            {
                "product_id": cls.fee_product.id,
                "quantity": qty,
                "price_unit": price,
                "tax_ids": [Command.set(cls.tax_22.ids)],
                **vals,
            }
        )

    @classmethod
    def _covered_line(cls, lot=None, product=None, **vals):
        return Command.create(
            {
                "equipment_product_id": (product or cls.machine).id,
                "lot_id": lot.id if lot else False,
                **vals,
            }
        )

    @classmethod
    def _create_contract(cls, lines=None, activate=True, **vals):
        contract = cls.env["aftersales.contract"].create(
            {
                "partner_id": cls.customer.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "billing_period": "quarterly",
                "billing_mode": "advance",
                "period_alignment": "calendar",
                "line_ids": lines if lines is not None else [cls._fee_line()],
                **vals,
            }
        )
        if activate:
            contract.action_activate()
        return contract


class AftersalesHelpdeskCase(AftersalesCase):
    """Help desk fixtures: a 40-hour calendar in UTC (8-12, 13-17, Monday to Friday),
    a team of two technicians led by the manager, serials of two customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # creating the portal user renamed its contact: give it back its name and address.
        cls.customer_contact.write({"name": "Giulia Rossi", "email": "giulia@barcentrale.example"})
        cls.user_technician_2, cls.user_technician_other = cls._new_test_users(
            {
                "login": "as_technician_2",
                "name": "Teo Technician",
                "groups": "aftersales.group_aftersales_user",
            },
            {
                "login": "as_technician_other",
                "name": "Otto Other-team",
                "groups": "aftersales.group_aftersales_user",
            },
        )
        cls.calendar = cls._create_calendar("Service desk 8-17 (UTC)", "UTC")
        cls.stage_new = cls.env.ref("aftersales.stage_new")
        cls.stage_progress = cls.env.ref("aftersales.stage_in_progress")
        cls.stage_waiting = cls.env.ref("aftersales.stage_waiting")
        cls.stage_solved = cls.env.ref("aftersales.stage_solved")
        cls.team = cls.env["aftersales.team"].create(
            {
                "name": "Espresso North",
                "leader_id": cls.user_manager.id,
                "member_ids": [Command.set((cls.user_technician | cls.user_technician_2).ids)],
                "resource_calendar_id": cls.calendar.id,
                "response_hours": 16.0,
                "resolution_hours": 40.0,
                "notify_receipt": False,
            }
        )
        cls.team_other = cls.env["aftersales.team"].create(
            {
                "name": "Grinders South",
                "member_ids": [Command.set(cls.user_technician_other.ids)],
                "resource_calendar_id": cls.calendar.id,
                "notify_receipt": False,
            }
        )
        cls.lot = cls._create_lot(
            "AUR-0001",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=date(2025, 6, 1),
        )
        cls.lot_other = cls._create_lot(
            "AUR-0999",
            aftersales_customer_id=cls.customer_other.id,
            aftersales_delivery_date=date(2025, 6, 1),
        )

    @classmethod
    def _create_ticket(cls, **vals):
        return cls.env["aftersales.ticket"].create(
            {
                "subject": "Machine does not heat",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                **vals,
            }
        )
