from lxml import etree

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import AftersalesHelpdeskCase
from .web_client import WebClient


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestRoleSurface(AftersalesHelpdeskCase):
    """Each role opens everything the web client offers it, as the web client does.

    For every user of the fixtures (each with exactly the groups of a job): every menu of
    the module it sees, every window action of the module it may open, every view of
    these actions with the records read through the view's own field specification, the
    smart buttons of each form and what they open, and the forms of Odoo's models that
    the module extends. A field added later to a view that one of these users cannot
    read fails here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_surface_data()

    @classmethod
    def _create_surface_data(cls):
        callout = cls.env["product.product"].create(
            {"name": "Call-out fee", "type": "service", "list_price": 80.0}
        )
        cls.team.write({"callout_product_id": callout.id})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.user_salesperson.id,
                "order_line": [
                    Command.create({"product_id": cls.machine.id, "product_uom_qty": 1}),
                    Command.create({"product_id": cls.fee_product.id, "product_uom_qty": 1}),
                ],
            }
        )
        cls.order.action_confirm()
        cls.order_contract = cls.order.aftersales_contract_ids
        cls.contract = cls._create_contract(lines=[cls._fee_line(), cls._covered_line(lot=cls.lot)])
        cls.contract.action_create_invoices()
        cls.invoice = cls.contract.invoice_ids[:1]
        cls.env["aftersales.contract.revision"].create(
            {
                "contract_id": cls.contract.id,
                "line_id": cls.contract.line_ids[:1].id,
                "date": "2026-01-01",
                "method": "percent",
                "old_price": 290.0,
                "new_price": 300.0,
            }
        )
        failed = cls._create_contract(partner_id=cls.customer_other.id)
        failed.write({"invoicing_error": "No sales journal", "invoicing_error_date": "2026-03-01"})
        index = cls.env["aftersales.price.index"].create({"name": "FOI (test)"})
        cls.env["aftersales.price.index.value"].create(
            {"index_id": index.id, "date": "2026-01-01", "value": 120.0}
        )
        cls.ticket = cls._create_ticket(lot_id=cls.lot.id, user_id=cls.user_technician.id)
        cls.ticket.action_create_quotation()
        cls.ticket.action_create_return()
        cls.ticket.action_create_repair()
        cls.ticket.activity_schedule("mail.mail_activity_data_todo", user_id=cls.user_manager.id)
        # the technician's own expense note, for an intervention
        employee = cls.env["hr.employee"].create(
            {"name": cls.user_technician.name, "user_id": cls.user_technician.id}
        )
        intervention = cls.env["aftersales.intervention"].create(
            {
                "summary": "Visit",
                "partner_id": cls.customer.id,
                "employee_ids": [Command.set(employee.ids)],
            }
        )
        cls.expense = cls.env["hr.expense"].create(
            {
                "name": "Parcheggio Milano Centro",
                "employee_id": employee.id,
                "total_amount_currency": 6.5,
                "aftersales_intervention_id": intervention.id,
            }
        )

    def _roles(self):
        return {
            "technician": self.user_technician,
            "manager": self.user_manager,
            "accountant": self.user_accountant,
            "salesperson": self.user_salesperson,
            "storekeeper": self.user_storekeeper,
        }

    def _open_module(self, user):
        """Every menu of the module ``user`` sees, then every other window action of the
        module that ``user`` may open; returns the web client and the menus' xml ids."""
        client = WebClient(self.env(user=user))
        menus = client.visible_menus("aftersales")
        opened = self.env["ir.actions.act_window"]
        for menu in menus:
            if menu["action_model"] == "ir.actions.act_window":
                action = self.env["ir.actions.act_window"].browse(menu["action_id"])
                with self.subTest(menu=menu["xmlid"]):
                    client.open_action(action)
                opened |= action
        data = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.actions.act_window")]
        )
        for action in self.env["ir.actions.act_window"].browse(data.mapped("res_id")) - opened:
            if action.group_ids and not action.group_ids & user.all_group_ids:
                continue
            if not self.env[action.res_model].with_user(user).has_access("read"):
                continue
            with self.subTest(action=action.name):
                client.open_action(action)
        return client, {menu["xmlid"] for menu in menus}

    def _read_models(self, client):
        return {model for model, _mode, ids in client.read if ids}

    def test_technician_opens_every_menu(self):
        client, menus = self._open_module(self.user_technician)
        self.assertIn("aftersales.aftersales_ticket_menu", menus)
        self.assertIn("aftersales.stock_lot_menu", menus)
        self.assertNotIn("aftersales.aftersales_config_menu", menus)
        # the margins are not theirs
        self.assertNotIn("aftersales.aftersales_profitability_report_menu", menus)
        self.assertNotIn("aftersales.aftersales_reliability_report_menu", menus)
        self.assertLessEqual(
            {"aftersales.ticket", "aftersales.contract", "stock.lot"}, self._read_models(client)
        )

    def test_manager_opens_every_menu(self):
        client, menus = self._open_module(self.user_manager)
        self.assertIn("aftersales.aftersales_team_menu", menus)
        self.assertIn("aftersales.aftersales_contract_failed_menu", menus)
        self.assertIn("aftersales.aftersales_invoice_due_menu", menus)
        self.assertIn("aftersales.aftersales_profitability_report_menu", menus)
        self.assertIn("aftersales.aftersales_reliability_report_loss_menu", menus)
        self.assertLessEqual(
            {
                "aftersales.ticket",
                "aftersales.contract",
                "aftersales.contract.template",
                "aftersales.contract.revision",
                "aftersales.price.index",
                "aftersales.team",
                "aftersales.ticket.stage",
                "stock.lot",
            },
            self._read_models(client),
        )

    def test_accountant_opens_contracts_from_accounting(self):
        client, menus = self._open_module(self.user_accountant)
        self.assertEqual(
            menus,
            {
                "aftersales.aftersales_contract_accounting_menu",
                "aftersales.aftersales_invoice_due_accounting_menu",
                "aftersales.aftersales_profitability_report_accounting_menu",
                "aftersales.aftersales_reliability_report_accounting_menu",
            },
        )
        self.assertIn("aftersales.contract", self._read_models(client))

    def test_other_apps_users_see_no_after_sales_menu(self):
        for role in ("salesperson", "storekeeper"):
            with self.subTest(role=role):
                _client, menus = self._open_module(self._roles()[role])
                self.assertFalse(menus)

    def _core_records(self):
        """A record of each of Odoo's models whose views the module extends."""
        return {
            "stock.lot": self.lot,
            "res.partner": self.customer,
            "sale.order": self.order,
            "account.move": self.invoice,
            "stock.picking": self.ticket.picking_ids,
            "repair.order": self.ticket.repair_ids,
            "product.template": self.machine.product_tmpl_id,
            "hr.expense": self.expense,
        }

    def test_extended_forms_open_for_the_roles_that_work_on_them(self):
        """Odoo's forms that the module extends, as the users of their own app open
        them, and the module's smart buttons on them. (Odoo's own forms are not all
        meant for every user who may read the model: a salesperson does not open
        transfers, a storekeeper does not open quotations.)"""
        forms = {
            "technician": ("res.partner", "hr.expense"),
            "manager": ("res.partner",),
            "accountant": ("account.move", "res.partner"),
            "salesperson": ("sale.order", "res.partner", "product.template"),
            "storekeeper": ("stock.lot", "stock.picking", "res.partner", "product.template"),
        }
        roles = {
            **self._roles(),
            "technician with Inventory": new_test_user(
                self.env,
                login="as_technician_stock",
                groups="aftersales.group_aftersales_user,stock.group_stock_user",
            ),
            "manager with Sales": new_test_user(
                self.env,
                login="as_manager_sales",
                groups="aftersales.group_aftersales_manager,sales_team.group_sale_salesman",
            ),
        }
        forms["technician with Inventory"] = ("stock.lot", "stock.picking", "repair.order")
        forms["manager with Sales"] = ("sale.order", "res.partner")
        records = self._core_records()
        for role, user in roles.items():
            self.order.user_id = user  # salespeople see their own orders
            client = WebClient(self.env(user=user))
            for model in forms[role]:
                self.assertTrue(records[model], model)
                with self.subTest(role=role, model=model):
                    client.open_form(records[model], follow="aftersales")
            self.assertEqual(set(forms[role]), self._read_models(client) & set(forms[role]))

    def test_serials_open_in_the_registry_form_from_tickets_and_contracts(self):
        """A bare technician reaches serials through many2one links, which open the
        registry form named in the link's context, not Inventory's."""
        for user in (self.user_technician, self.user_manager):
            client = WebClient(self.env(user=user))
            for model in ("aftersales.ticket", "aftersales.contract"):
                arch = self.env[model].with_user(user).get_views([(False, "form")])
                node = etree.fromstring(arch["views"]["form"]["arch"]).xpath(
                    "//field[@name='lot_id']"
                )[0]
                context = safe_eval(
                    node.get("context"), {"product_id": 1, "equipment_product_id": 1}
                )
                view = self.env.ref(context["form_view_ref"])
                with self.subTest(user=user.login, model=model):
                    client.open_form(self.lot, view_id=view.id)

    def test_accountant_opens_the_contract_behind_an_invoice(self):
        client = WebClient(self.env(user=self.user_accountant))
        values = client.open_form(self.invoice)[0]
        self.assertEqual(values["aftersales_contract_id"]["id"], self.contract.id)
        contract = self.env["aftersales.contract"].browse(values["aftersales_contract_id"]["id"])
        values = client.open_form(contract)[0]
        self.assertEqual(values["invoice_count"], len(self.contract.invoice_ids))
