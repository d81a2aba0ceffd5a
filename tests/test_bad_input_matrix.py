"""Bad input, all in one place.

One table per channel (the ORM, JSON-RPC as the web client sends it, the portal's
forms), one row per bad input. For every row: a clear error (``ValidationError``,
``UserError`` or ``AccessError`` with a human message, never the database's own text) or
an HTTP 400/403/404 from the portal; no record half-written (the rows of the module's
models are counted before and after); no number used up from a sequence (tickets,
contracts and interventions, with their yearly ranges); no traceback shown to a portal
user.
"""

import json
import re
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import Request
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesHelpdeskCase

COUNTED_MODELS = (
    "aftersales.contract",
    "aftersales.contract.line",
    "aftersales.contract.template",
    "aftersales.ticket",
    "aftersales.team",
    "aftersales.intervention",
    "aftersales.hour.move",
    "aftersales.intervention.charge",
    "aftersales.price.index.value",
    "aftersales.rate.card",
    "aftersales.rate.card.zone",
    "aftersales.intervention.charge",
    "aftersales.intervention.time",
    "account.analytic.line",
    "sale.order",
    "sale.order.line",
    "account.move",
    "hr.expense",
)
NUMBERED = ("aftersales.ticket", "aftersales.contract", "aftersales.intervention")
RAW_DATABASE_TEXT = re.compile(r"psycopg2|violates|constraint \"|Traceback|0x00", re.IGNORECASE)


@tagged("post_install", "-at_install")
class TestBadInputMatrix(AftersalesHelpdeskCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot_grinder = cls._create_lot("GR-0001", product=cls.grinder)
        cls.lot_b = cls._create_lot(
            "LON-0001", company_id=cls.company_b.id, aftersales_customer_id=cls.customer_b.id
        )
        cls.contract = cls._create_contract(lines=[cls._fee_line(), cls._covered_line(cls.lot)])
        cls.contract_empty = cls._create_contract(lines=[], activate=False)
        cls.contract_overlap = cls._create_contract(
            lines=[cls._covered_line(cls.lot)], activate=False, date_start=date(2026, 6, 1)
        )
        cls.contract_other = cls._create_contract(partner_id=cls.customer_other.id, activate=False)
        cls.contract_b = cls.env["aftersales.contract"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.company_b.id,
                "date_start": date(2026, 1, 1),
                "line_ids": [cls._covered_line()],
            }
        )
        cls.bank = cls._create_contract(
            contract_kind="hour_bank", hour_bank_hours=4.0, hour_bank_overage="block"
        )
        cls.team_no_calendar = cls.env["aftersales.team"].create(
            {
                "name": "No hours",
                "response_hours": 8.0,
                "resource_calendar_id": False,
                "notify_receipt": False,
            }
        )
        cls.ticket = cls._create_ticket(subject="Boiler pressure drops", lot_id=cls.lot.id)
        cls.ticket_other = cls._create_ticket(
            subject="Dolce Vita fridge", partner_id=cls.customer_other.id
        )
        Intervention = cls.env["aftersales.intervention"]
        cls.intervention = Intervention.create(
            {"summary": "Descale", "partner_id": cls.customer.id}
        )
        cls.intervention_running = Intervention.create(
            {"summary": "Replace pump", "partner_id": cls.customer.id}
        )
        cls.intervention_running.action_start()
        # an intervention drawing 5 h from the 4 h bank set to block
        employee = cls.env["hr.employee"].create(
            {"name": "Tecnico Banca", "user_id": cls.user_technician.id, "hourly_cost": 30.0}
        )
        cls.intervention_bank = Intervention.create(
            {
                "summary": "Long repair",
                "partner_id": cls.customer.id,
                "employee_ids": [Command.set(employee.ids)],
            }
        )
        cls.env["aftersales.intervention.time"].create(
            {
                "intervention_id": cls.intervention_bank.id,
                "employee_id": employee.id,
                "date_start": datetime(2026, 3, 4, 8, 0),
                "date_end": datetime(2026, 3, 4, 13, 0),
            }
        )
        cls.intervention_bank.action_start()
        cls.labour_product = cls.env["product.product"].create(
            {"name": "Labour (test)", "type": "service", "list_price": 45.0}
        )
        cls.intervention_done = Intervention.create(
            {"summary": "Check", "partner_id": cls.customer_other.id}
        )
        cls.intervention_done.action_start()
        cls.intervention_done.action_done()
        cls.charge = (
            cls.env["aftersales.intervention.charge"]
            .with_context(aftersales_charge_compute=True)
            .create(
                {
                    "intervention_id": cls.intervention_done.id,
                    "kind": "callout",
                    "name": "Call-out fee",
                    "product_id": cls.labour_product.id,
                    "price_unit": 35.0,
                }
            )
        )
        cls.index = cls.env["aftersales.price.index"].create(
            {
                "name": "FOI (test)",
                "value_ids": [Command.create({"date": date(2026, 1, 1), "value": 120.0})],
            }
        )
        cls.card = cls.env["aftersales.rate.card"].create(
            {
                "name": "Zones",
                "travel_mode": "zone",
                "travel_product_id": cls.labour_product.id,
                "hourly_rate": 45.0,
                "labour_product_id": cls.labour_product.id,
                "travel_zone_ids": [
                    Command.create({"name": "Up to 30 km", "max_km": 30.0, "price": 20.0})
                ],
            }
        )
        cls._setup_billing()
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.picking = cls.env["stock.picking"].create(
            {"picking_type_id": warehouse.out_type_id.id, "partner_id": cls.customer.id}
        )
        cls.expense_technician, cls.expense_other = cls.env["hr.employee"].create(
            [{"name": "Tecnico in trasferta"}, {"name": "Impiegata d'ufficio"}]
        )
        cls.employee_b = cls.env["hr.employee"].create(
            {"name": "Bruno of Company B", "company_id": cls.company_b.id}
        )
        cls.parking = cls.env["product.product"].create(
            {
                "name": "Parcheggio",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "cost",
            }
        )
        cls.intervention_expenses = Intervention.create(
            {
                "summary": "Visit with expenses",
                "partner_id": cls.customer.id,
                "employee_ids": [Command.set(cls.expense_technician.ids)],
            }
        )
        cls.office_expense = cls.env["hr.expense"].create(
            {
                "name": "Cancelleria",
                "product_id": cls.parking.id,
                "employee_id": cls.expense_other.id,
                "total_amount_currency": 12.0,
            }
        )

    @classmethod
    def _setup_billing(cls):
        """Done interventions of one customer in two companies, one of them billed."""
        Intervention = cls.env["aftersales.intervention"]
        cls.intervention_billed, cls.intervention_due, cls.intervention_due_b = Intervention.create(
            [
                {"summary": "Billed", "partner_id": cls.customer.id},
                {"summary": "Due", "partner_id": cls.customer.id},
                {
                    "summary": "Due in B",
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_b.id,
                    "contract_id": False,
                    "contract_line_id": False,
                },
            ]
        )
        done = cls.intervention_billed | cls.intervention_due | cls.intervention_due_b
        done.write({"state": "done", "date_end": datetime(2026, 6, 3, 10, 0)})
        cls.env["aftersales.intervention.charge"].create(
            [
                {
                    "intervention_id": intervention.id,
                    "kind": "labour",
                    "name": "Labour",
                    "product_id": cls.labour_product.id,
                    "quantity": 1.0,
                    "price_unit": 45.0,
                }
                for intervention in done
            ]
        )
        cls.intervention_billed._create_sale_orders()

    # ------------------------------------------------------------------
    # What must not change
    # ------------------------------------------------------------------
    def _state(self):
        """Rows of the module's models, and the next number of each numbering sequence
        and of each of its yearly ranges."""
        self.env.invalidate_all()
        counts = {
            model: self.env[model].sudo().with_context(active_test=False).search_count([])
            for model in COUNTED_MODELS
        }
        # an expense linked to an intervention is a written link, not a new row
        counts["hr.expense linked"] = (
            self.env["hr.expense"]
            .sudo()
            .search_count([("aftersales_intervention_id", "!=", False)])
        )
        sequences = self.env["ir.sequence"].sudo().search([("code", "in", NUMBERED)])
        numbers = {
            (sequence.code, sequence.company_id.id): sequence.number_next_actual
            for sequence in sequences
        }
        numbers.update(
            {
                (ranged.sequence_id.code, str(ranged.date_from)): ranged.number_next_actual
                for ranged in sequences.date_range_ids
            }
        )
        return counts, numbers

    def _assert_unchanged(self, before):
        counts, numbers = self._state()
        self.assertEqual(counts, before[0], "nothing half-written")
        self.assertEqual(numbers, before[1], "no number used up")

    # ------------------------------------------------------------------
    # ORM: what a server action, an import or another module would call
    # ------------------------------------------------------------------
    def _orm_cases(self):
        manager = self.env(user=self.user_manager)
        technician = self.env(user=self.user_technician)
        Ticket = technician["aftersales.ticket"]
        ticket_vals = {"subject": "Leak", "partner_id": self.customer.id, "team_id": self.team.id}
        return [
            (
                "charge: finishing draws more than a blocked hour bank holds",
                lambda: self.intervention_bank.with_user(self.user_technician).action_done(),
                UserError,
                "4 h left, this work needs",
            ),
            (
                "charge: covered share paid by the customer",
                lambda: self.charge.with_user(self.user_manager).write({"coverage_percent": 50.0}),
                ValidationError,
                "paid by the customer has no covered share",
            ),
            (
                "charge: computed before the intervention is done",
                lambda: self.intervention_running.with_user(
                    self.user_manager
                ).action_compute_charges(),
                UserError,
                "Compute Charges: intervention",
            ),
            (
                "ticket: serial of another customer",
                lambda: Ticket.create({**ticket_vals, "lot_id": self.lot_other.id}),
                ValidationError,
                "AUR-0999 belongs to another customer",
            ),
            (
                "ticket: contract of another customer",
                lambda: manager["aftersales.ticket"].create(
                    {**ticket_vals, "contract_id": self.contract_other.id}
                ),
                ValidationError,
                "belongs to another customer",
            ),
            (
                "ticket: contract of another company",
                lambda: manager["aftersales.ticket"].create(
                    {**ticket_vals, "contract_id": self.contract_b.id}
                ),
                UserError,
                "belongs to company Other Company B",
            ),
            (
                "ticket: team without working hours",
                lambda: manager["aftersales.ticket"].create(
                    {**ticket_vals, "team_id": self.team_no_calendar.id}
                ),
                ValidationError,
                "has no working hours",
            ),
            (
                "ticket: technician sets a system field",
                lambda: Ticket.create({**ticket_vals, "date_closed": datetime(2026, 1, 1)}),
                AccessError,
                "The system sets these fields",
            ),
            (
                "ticket: manager writes the stored response time",
                lambda: self.ticket.with_user(self.user_manager).write({"sla_response_time": 0.5}),
                AccessError,
                "cannot be written directly: Response Time",
            ),
            (
                "reports: a service-level row created",
                lambda: (
                    self.env["aftersales.service.level.report"]
                    .with_user(self.user_manager)
                    .create({"ticket_id": self.ticket.id})
                ),
                AccessError,
                "not allowed to create",
            ),
            (
                "reports: an hour bank's month written by hand",
                lambda: (
                    self.env["aftersales.hour.bank.month"]
                    .with_user(self.user_manager)
                    .create({"contract_id": self.contract_b.id, "month": date(2026, 3, 1)})
                ),
                AccessError,
                "not allowed to create",
            ),
            (
                "reports: manager writes an intervention's technician count",
                lambda: self.intervention.with_user(self.user_manager).write(
                    {"technician_count": 3}
                ),
                AccessError,
                "cannot be written directly: Technician Count",
            ),
            (
                "reports: a technician's weekly capacity written by hand",
                lambda: (
                    self.env["aftersales.technician.capacity"]
                    .with_user(self.user_manager)
                    .create({"employee_id": False, "week_start": date(2026, 3, 2)})
                ),
                AccessError,
                "not allowed to create",
            ),
            (
                "ticket: technician renumbers a ticket",
                lambda: self.ticket.with_user(self.user_technician).write({"name": "TK/1"}),
                AccessError,
                "cannot be written directly: Number",
            ),
            (
                "ticket: serial changed to another customer's",
                lambda: self.ticket.with_user(self.user_technician).write(
                    {"lot_id": self.lot_other.id}
                ),
                ValidationError,
                "belongs to another customer",
            ),
            (
                "contract: serial of another product",
                lambda: manager["aftersales.contract"].create(
                    {
                        "partner_id": self.customer.id,
                        "date_start": date(2026, 1, 1),
                        "line_ids": [self._covered_line(self.lot_grinder, product=self.machine)],
                    }
                ),
                ValidationError,
                "GR-0001",
            ),
            (
                "contract: customer of another company",
                lambda: manager["aftersales.contract"].create(
                    {"partner_id": self.customer_b.id, "date_start": date(2026, 1, 1)}
                ),
                UserError,
                "belongs to another company",
            ),
            (
                "contract: activated without lines",
                lambda: self.contract_empty.with_user(self.user_manager).action_activate(),
                UserError,
                "no lines",
            ),
            (
                "contract: serial already covered by an active contract",
                lambda: self.contract_overlap.with_user(self.user_manager).action_activate(),
                ValidationError,
                "already covered",
            ),
            (
                "contract: active one deleted",
                lambda: self.contract.with_user(self.user_manager).unlink(),
                UserError,
                "cancel it instead",
            ),
            (
                "contract: technician edits the terms",
                lambda: self.contract.with_user(self.user_technician).write({"reference": "X"}),
                AccessError,
                "not allowed to modify",
            ),
            (
                "contract line: lot of another product added",
                lambda: self.contract.with_user(self.user_manager).write(
                    {"line_ids": [self._covered_line(self.lot_grinder, product=self.machine)]}
                ),
                ValidationError,
                "GR-0001",
            ),
            (
                "price index: no value for the date",
                lambda: self.index._value_at(date(2025, 1, 1)),
                UserError,
                "has no value for",
            ),
            (
                "rate card: negative worked time",
                lambda: self.card._billable_hours(-1.0),
                UserError,
                "Worked time cannot be negative",
            ),
            (
                "rate card: unknown labour kind",
                lambda: self.card._labour_rate("weekend"),
                UserError,
                "Unknown kind of labour: weekend",
            ),
            (
                "rate card: negative distance",
                lambda: self.card._travel_amount(km=-5.0),
                UserError,
                "cannot be negative",
            ),
            (
                "rate card: trip beyond the last zone",
                lambda: self.card._travel_amount(km=80.0),
                UserError,
                "no travel zone for a trip of 80",
            ),
            (
                "rate card: price without a product",
                lambda: manager["aftersales.rate.card"].create(
                    {"name": "No product", "callout_fee": 35.0}
                ),
                ValidationError,
                "needs a product",
            ),
            (
                "hour bank: top-up by a technician",
                lambda: self.bank.with_user(self.user_technician)._hour_bank_top_up(2.0),
                AccessError,
                "Only a service manager",
            ),
            (
                "hour bank: top-up of no hours",
                lambda: self.bank.with_user(self.user_manager)._hour_bank_top_up(0.0),
                UserError,
                "must be positive",
            ),
            (
                "hour bank: top-up of a contract that is not a bank",
                lambda: self.contract.with_user(self.user_manager)._hour_bank_top_up(2.0),
                UserError,
                "is not an hour bank",
            ),
            (
                "hour bank: hours bought taken back",
                lambda: self.bank.with_user(self.user_manager).write({"hour_bank_hours": 1.0}),
                UserError,
                "cannot be taken back",
            ),
            (
                "hour bank: consumption beyond the balance",
                lambda: self.bank._hour_bank_draw({"normal": 5.0}),
                UserError,
                "4 h left, this work needs",
            ),
            (
                "hour bank: negative consumption",
                lambda: self.bank._hour_bank_draw({"normal": -1.0}),
                UserError,
                "cannot be negative",
            ),
            (
                "team: portal user as technician",
                lambda: self.team.with_user(self.user_manager).write(
                    {"member_ids": [Command.link(self.user_portal.id)]}
                ),
                ValidationError,
                "portal users cannot be technicians",
            ),
            (
                "intervention: planned without dates or technician",
                lambda: self.intervention.with_user(self.user_technician).action_plan(),
                UserError,
                "needs planned dates",
            ),
            (
                "intervention: finished before it started",
                lambda: self.intervention.with_user(self.user_technician).action_done(),
                UserError,
                "Finish: intervention",
            ),
            (
                "intervention: running one reset to plan",
                lambda: self.intervention_running.with_user(self.user_technician).action_draft(),
                UserError,
                "Reset: intervention",
            ),
            (
                "intervention: running one deleted",
                lambda: self.intervention_running.with_user(self.user_manager).unlink(),
                UserError,
                "Only interventions to plan or cancelled ones",
            ),
            (
                "billing: an intervention not done",
                lambda: self.intervention_running.with_user(
                    self.user_manager
                ).action_create_sale_order(),
                UserError,
                "is not done: only done interventions are billed",
            ),
            (
                "billing: an intervention already billed",
                lambda: (
                    (self.intervention_due | self.intervention_billed)
                    .with_user(self.user_manager)
                    .action_create_sale_order()
                ),
                UserError,
                "has already been billed",
            ),
            (
                "billing: a technician bills",
                lambda: self.intervention_due.with_user(
                    self.user_technician
                ).action_create_sale_order(),
                AccessError,
                "Only After-Sales managers and accountants",
            ),
            (
                "invoicing: one invoice mixing companies",
                lambda: (
                    self.env["aftersales.invoice.due.wizard"]
                    .with_context(allowed_company_ids=[self.company.id, self.company_b.id])
                    .create({})
                    .action_invoice()
                ),
                UserError,
                "mix companies",
            ),
            (
                "expense: of another company",
                lambda: self.env["hr.expense"].create(
                    {
                        "name": "Parcheggio",
                        "product_id": self.parking.id,
                        "employee_id": self.employee_b.id,
                        "company_id": self.company_b.id,
                        "total_amount_currency": 6.5,
                        "aftersales_intervention_id": self.intervention_expenses.id,
                    }
                ),
                ValidationError,
                "belongs to company Other Company B",
            ),
            (
                "expense: of an employee who is not a technician of the intervention",
                lambda: self.office_expense.write(
                    {"aftersales_intervention_id": self.intervention_expenses.id}
                ),
                ValidationError,
                "is not a technician of intervention",
            ),
            (
                "expense: a technician files another employee's",
                lambda: (
                    self.env["hr.expense"]
                    .with_user(self.user_technician)
                    .create(
                        {
                            "name": "Parcheggio",
                            "product_id": self.parking.id,
                            "employee_id": self.expense_other.id,
                            "total_amount_currency": 6.5,
                        }
                    )
                ),
                AccessError,
                "doesn't have 'create' access to:\n- Expense",
            ),
            *self._expense_reinvoice_cases(),
            *self._input_bound_orm_cases(),
        ]

    def _input_bound_orm_cases(self):
        """Free text printed on a PDF, time entries, numbers that are not finite, the
        serial of another customer and the contract's journal."""
        running = self.intervention_running.with_user(self.user_technician)
        Time = self.env["aftersales.intervention.time"].with_user(self.user_technician)
        entry = {
            "intervention_id": self.intervention_bank.id,
            "employee_id": self.intervention_bank.employee_ids.id,
        }
        return [
            (
                "intervention: a worksheet text of 2 MB",
                lambda: running.write({"work_done": f"<p>{'word ' * 400_000}</p>"}),
                ValidationError,
                "Work Done of .* is too long to be printed: 2,000,007 characters",
            ),
            (
                "intervention: a worksheet text above 20,000 characters",
                lambda: running.write({"work_done": f"<p>{'x ' * 15_000}</p>"}),
                ValidationError,
                "too long to be printed: 29,999 characters, the limit is 20,000 characters",
            ),
            (
                "intervention: a signer's name of 1,000 characters",
                lambda: self.intervention_running.write({"signed_by": "G" * 1000}),
                ValidationError,
                "Signed By of .* is too long to be printed",
            ),
            (
                "time entry: dated in the year 1",
                lambda: Time.create(
                    {
                        **entry,
                        "date_start": datetime(1, 1, 1, 8, 0),
                        "date_end": datetime(1, 1, 1, 10, 0),
                    }
                ),
                ValidationError,
                "A time entry is dated between 2000 and 2099: 0001-01-01 08:00:00 is not",
            ),
            (
                "time entry: dated in the year 9999",
                lambda: Time.create(
                    {
                        **entry,
                        "date_start": datetime(9999, 12, 31, 20, 0),
                        "date_end": datetime(9999, 12, 31, 23, 0),
                    }
                ),
                ValidationError,
                "dated between 2000 and 2099: 9999-12-31 20:00:00 is not",
            ),
            (
                "time entry: ten years long",
                lambda: Time.create(
                    {
                        **entry,
                        "date_start": datetime(2026, 4, 1, 8, 0),
                        "date_end": datetime(2036, 4, 1, 8, 0),
                    }
                ),
                ValidationError,
                "A time entry lasts at most 24 hours .* lasts 87672.0 hours",
            ),
            (
                "time entry: a running one stopped two days later",
                lambda: Time.create({**entry, "date_start": datetime(2026, 4, 1, 8, 0)}).write(
                    {"date_end": datetime(2026, 4, 3, 8, 0)}
                ),
                ValidationError,
                "lasts at most 24 hours",
            ),
            (
                "intervention: NaN kilometres",
                lambda: running.write({"travel_km": float("nan")}),
                ValidationError,
                r"Travel \(km\) \(Intervention\) must be a finite number .* nan is not one",
            ),
            (
                "intervention: infinite per diem days",
                lambda: running.write({"per_diem_days": float("inf")}),
                ValidationError,
                "Per Diem Days .* must be a finite number",
            ),
            (
                "intervention: 1e308 kilometres",
                lambda: running.write({"travel_km": 1e308}),
                ValidationError,
                "at most 1,000,000,000,000; 1e\\+308 is not one",
            ),
            (
                "charge: NaN coverage percentage",
                lambda: self.charge.with_user(self.user_manager).write(
                    {"coverage_kind": "contract", "coverage_percent": float("nan")}
                ),
                ValidationError,
                r"Covered \(%\) \(Intervention Charge\) must be a finite number",
            ),
            (
                "intervention: serial of another customer",
                lambda: (
                    self.env["aftersales.intervention"]
                    .with_user(self.user_technician)
                    .create(
                        {
                            "summary": "Visit",
                            "partner_id": self.customer.id,
                            "lot_id": self.lot_other.id,
                        }
                    )
                ),
                ValidationError,
                "Serial AUR-0999 belongs to another customer, not to Bar Centrale",
            ),
            (
                "intervention: another customer's serial among those of a visit",
                lambda: running.write({"lot_ids": [Command.link(self.lot_other.id)]}),
                ValidationError,
                "Serial AUR-0999 belongs to another customer",
            ),
            (
                "contract: a purchase journal",
                lambda: self.contract.with_user(self.user_manager).write(
                    {"journal_id": self._purchase_journal().id}
                ),
                ValidationError,
                "is not a sales journal of",
            ),
        ]

    def _purchase_journal(self):
        return self.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", self.company.id)], limit=1
        ) or self.env["account.journal"].create(
            {"name": "Vendor Bills (test)", "code": "TBILL", "type": "purchase"}
        )

    def _expense_reinvoice_cases(self):
        """With sale_expense (auto-installed with Sales and Expenses): an expense on a
        sale order to re-invoice, linked to an intervention too."""
        if "sale_order_id" not in self.env["hr.expense"]._fields:
            return []
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.fee_product.id})],
            }
        )
        order.action_confirm()
        return [
            (
                "expense: re-invoiced on an order and linked to an intervention",
                lambda: self.env["hr.expense"].create(
                    {
                        "name": "Parcheggio",
                        "product_id": self.parking.id,
                        "employee_id": self.expense_technician.id,
                        "total_amount_currency": 6.5,
                        "sale_order_id": order.id,
                        "aftersales_intervention_id": self.intervention_expenses.id,
                    }
                ),
                ValidationError,
                "the customer would pay it twice",
            ),
        ]

    def test_orm(self):
        cases = self._orm_cases()
        for name, call, exception, message in cases:
            with self.subTest(case=name):
                before = self._state()
                with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
                    call()
                    self.env.flush_all()
                self._assert_unchanged(before)

    # ------------------------------------------------------------------
    # JSON-RPC: what the web client (or a script) sends
    # ------------------------------------------------------------------
    def _call_kw(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        # json.dumps writes NaN and Infinity as a script may send them (requests refuses to)
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _rpc_cases(self):
        contract = {"partner_id": self.customer.id, "date_start": "2026-01-01"}
        fee = {"product_id": self.fee_product.id, "quantity": 1.0, "price_unit": 100.0}
        ticket = {"subject": "Leak", "partner_id": self.customer.id, "team_id": self.team.id}
        intervention = {"summary": "Visit", "partner_id": self.customer.id}
        card = {"name": "Bad card"}
        return [
            (
                "contract: ends before it starts",
                "as_manager",
                [("aftersales.contract", "create", [{**contract, "date_end": "2025-12-31"}])],
                "ValidationError",
                "end date of a contract cannot be before its start date",
            ),
            (
                "contract line: negative quantity",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [Command.create({**fee, "quantity": -1.0})]}],
                    )
                ],
                "ValidationError",
                "quantity of a contract line cannot be negative",
            ),
            (
                "contract line: negative price",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [Command.create({**fee, "price_unit": -5.0})]}],
                    )
                ],
                "ValidationError",
                "unit price of a contract line cannot be negative",
            ),
            (
                "contract line: discount above 100%",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [Command.create({**fee, "discount": 120.0})]}],
                    )
                ],
                "ValidationError",
                "discount must be between 0 and 100%",
            ),
            (
                "contract line: parts coverage of 150%",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [
                            {
                                **contract,
                                "line_ids": [
                                    Command.create(
                                        {
                                            "equipment_product_id": self.machine.id,
                                            "parts_coverage": 150.0,
                                        }
                                    )
                                ],
                            }
                        ],
                    )
                ],
                "ValidationError",
                "coverage percentage must be between 0 and 100%",
            ),
            (
                "contract line: negative response time",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [self._covered_line(response_hours=-2.0)]}],
                    )
                ],
                "ValidationError",
                "Service-level targets and preventive visits cannot be negative",
            ),
            (
                "contract line: neither bills nor covers",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [Command.create({"name": "Nothing"})]}],
                    )
                ],
                "ValidationError",
                "must bill a product or cover one",
            ),
            (
                "contract line: serial covered twice at once",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "write",
                        [self.contract.ids, {"line_ids": [self._covered_line(self.lot)]}],
                    )
                ],
                "ValidationError",
                "cannot be covered by two active contracts",
            ),
            (
                "template: negative duration",
                "as_manager",
                [
                    (
                        "aftersales.contract.template",
                        "create",
                        [{"name": "Bad", "duration_months": -1}],
                    )
                ],
                "ValidationError",
                "Durations and notice periods cannot be negative",
            ),
            (
                "template: parts coverage of 150%",
                "as_manager",
                [
                    (
                        "aftersales.contract.template",
                        "create",
                        [{"name": "Bad", "parts_coverage": 150.0}],
                    )
                ],
                "ValidationError",
                "coverage percentage must be between 0 and 100%",
            ),
            (
                "price index: value of zero",
                "as_manager",
                [
                    (
                        "aftersales.price.index.value",
                        "create",
                        [{"index_id": self.index.id, "date": "2026-02-01", "value": 0.0}],
                    )
                ],
                "ValidationError",
                "greater than zero",
            ),
            (
                "price index: two values for one period",
                "as_manager",
                [
                    (
                        "aftersales.price.index.value",
                        "create",
                        [{"index_id": self.index.id, "date": "2026-01-01", "value": 121.0}],
                    )
                ],
                "ValidationError",
                "one value per period",
            ),
            (
                "rate card: negative hourly rate",
                "as_manager",
                [("aftersales.rate.card", "write", [self.card.ids, {"hourly_rate": -1.0}])],
                "ValidationError",
                "prices of a rate card cannot be negative",
            ),
            (
                "rate card: rounding of zero minutes",
                "as_manager",
                [("aftersales.rate.card", "create", [{**card, "rounding_minutes": 0}])],
                "ValidationError",
                "at least one minute",
            ),
            (
                "rate card: zone of zero km",
                "as_manager",
                [
                    (
                        "aftersales.rate.card.zone",
                        "create",
                        [
                            {
                                "rate_card_id": self.card.id,
                                "name": "Here",
                                "max_km": 0.0,
                                "price": 5.0,
                            }
                        ],
                    )
                ],
                "ValidationError",
                "distance above 0 km",
            ),
            (
                "team: negative response target",
                "as_manager",
                [("aftersales.team", "write", [self.team.ids, {"response_hours": -1.0}])],
                "ValidationError",
                "cannot be negative",
            ),
            (
                "ticket: serial of another customer",
                "as_technician",
                [("aftersales.ticket", "create", [{**ticket, "lot_id": self.lot_other.id}])],
                "ValidationError",
                "belongs to another customer",
            ),
            (
                "ticket: negative response target",
                "as_manager",
                [("aftersales.ticket", "create", [{**ticket, "sla_response_hours": -1.0}])],
                "ValidationError",
                "Service-level targets cannot be negative",
            ),
            (
                "ticket: NUL character in the subject",
                "as_technician",
                [("aftersales.ticket", "create", [{**ticket, "subject": "Leak\x00"}])],
                "UserError",
                "NUL character",
            ),
            (
                "contract line: NUL character in the description",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [{**contract, "line_ids": [Command.create({**fee, "name": "Fee\x00"})]}],
                    )
                ],
                "UserError",
                "NUL character",
            ),
            (
                "intervention: NUL character in the summary",
                "as_technician",
                [
                    (
                        "aftersales.intervention",
                        "write",
                        [self.intervention.ids, {"summary": "a\x00"}],
                    )
                ],
                "UserError",
                "NUL character",
            ),
            (
                "ticket: technician renumbers a ticket",
                "as_technician",
                [("aftersales.ticket", "write", [self.ticket.ids, {"name": "TK/1"}])],
                "AccessError",
                "cannot be written directly",
            ),
            (
                "ticket: guessed id of a deleted ticket",
                "as_technician",
                [("aftersales.ticket", "write", [[9_999_999], {"subject": "X"}])],
                "MissingError",
                "deleted",
            ),
            (
                "intervention: planned end before the start",
                "as_technician",
                [
                    (
                        "aftersales.intervention",
                        "create",
                        [
                            {
                                **intervention,
                                "date_planned_start": "2026-03-02 10:00:00",
                                "date_planned_end": "2026-03-02 09:00:00",
                            }
                        ],
                    )
                ],
                "ValidationError",
                "planned end of an intervention must be after",
            ),
            (
                # when it started and finished is stamped by Start and Finish
                "intervention: finished before it started",
                "as_technician",
                [
                    (
                        "aftersales.intervention",
                        "create",
                        [
                            {
                                **intervention,
                                "date_start": "2026-03-02 10:00:00",
                                "date_end": "2026-03-02 09:00:00",
                            }
                        ],
                    )
                ],
                "AccessError",
                "cannot be written directly",
            ),
            (
                "intervention: running one started again",
                "as_technician",
                [("aftersales.intervention", "action_start", [self.intervention_running.ids])],
                "UserError",
                "Start: intervention",
            ),
            (
                "hour bank: top-up of negative hours",
                "as_manager",
                [
                    (
                        "aftersales.hour.topup.wizard",
                        "create",
                        [{"contract_id": self.bank.id, "hours": -3.0, "name": "Gift"}],
                    ),
                    ("aftersales.hour.topup.wizard", "action_confirm", "created"),
                ],
                "UserError",
                "must be positive",
            ),
            (
                "hour bank: top-up through a private method",
                "as_manager",
                [("aftersales.contract", "_hour_bank_top_up", [self.bank.ids, 2.0])],
                "AccessError",
                "cannot be called remotely",
            ),
            (
                "hour bank: ledger written directly",
                "as_manager",
                [
                    (
                        "aftersales.hour.move",
                        "create",
                        [{"contract_id": self.bank.id, "hours": 5.0, "kind": "topup"}],
                    )
                ],
                "AccessError",
                "not allowed to create",
            ),
            (
                "charge: negative quantity",
                "as_manager",
                [
                    (
                        "aftersales.intervention.charge",
                        "write",
                        [self.charge.ids, {"quantity": -1.0}],
                    )
                ],
                "ValidationError",
                "quantity of a charge cannot be negative",
            ),
            (
                "charge: coverage above 100%",
                "as_manager",
                [
                    (
                        "aftersales.intervention.charge",
                        "write",
                        [self.charge.ids, {"coverage_kind": "contract", "coverage_percent": 150}],
                    )
                ],
                "ValidationError",
                "coverage percentage must be between 0 and 100",
            ),
            (
                "charge: a manager writes the cost",
                "as_manager",
                [("aftersales.intervention.charge", "write", [self.charge.ids, {"cost": 1.0}])],
                "AccessError",
                "cannot be written directly",
            ),
            (
                "charge: a technician changes a price",
                "as_technician",
                [
                    (
                        "aftersales.intervention.charge",
                        "write",
                        [self.charge.ids, {"price_unit": 1.0}],
                    )
                ],
                "AccessError",
                "not allowed to modify",
            ),
            (
                "profitability report: a technician reads the margins",
                "as_technician",
                [("aftersales.profitability.report", "search_read", [[], ["margin"]])],
                "AccessError",
                "not allowed to access",
            ),
            (
                "profitability report: a manager writes a figure",
                "as_manager",
                [("aftersales.profitability.report", "create", [{"margin": 1000.0}])],
                "AccessError",
                "not allowed to create",
            ),
            (
                "reliability report: a technician reads the cost to serve",
                "as_technician",
                [("aftersales.reliability.report", "search_read", [[], ["cost_per_year"]])],
                "AccessError",
                "not allowed to access",
            ),
            (
                "serial: a technician reads its cost to serve",
                "as_technician",
                [("stock.lot", "read", [self.lot.ids, ["aftersales_cost_per_year"]])],
                "AccessError",
                "not have enough rights to access the field",
            ),
            (
                "delivery note: negative packages",
                "as_storekeeper",
                [("stock.picking", "write", [self.picking.ids, {"aftersales_packages": -1}])],
                "ValidationError",
                "cannot be negative",
            ),
            *self._input_bound_rpc_cases(),
        ]

    def _input_bound_rpc_cases(self):
        """Free text printed on a PDF, time entries, numbers that are not finite (as JSON
        tokens, as strings and as 1e308), the serial of another customer and the
        contract's journal, as the web client or a script sends them."""
        running = self.intervention_running.ids
        entry = {
            "intervention_id": self.intervention_bank.id,
            "employee_id": self.intervention_bank.employee_ids.id,
        }
        return [
            (
                f"intervention: {value!r} in {name}",
                "as_technician",
                [("aftersales.intervention", "write", [running, {name: value}])],
                "ValidationError",
                "must be a finite number",
            )
            for name, value in (
                ("travel_km", float("nan")),
                ("travel_km", 1e308),
                ("per_diem_days", float("inf")),
                ("per_diem_days", "-inf"),
                ("odometer_end", "NaN"),
            )
        ] + [
            (
                "intervention: a 400-digit integer in travel_km",
                "as_technician",
                [("aftersales.intervention", "write", [running, {"travel_km": 10**400}])],
                "ValidationError",
                "must be a finite number",
            ),
            (
                "charge: NaN coverage percentage",
                "as_manager",
                [
                    (
                        "aftersales.intervention.charge",
                        "write",
                        [self.charge.ids, {"coverage_kind": "contract", "coverage_percent": "nan"}],
                    )
                ],
                "ValidationError",
                "must be a finite number",
            ),
            (
                "contract line: infinite price",
                "as_manager",
                [
                    (
                        "aftersales.contract.line",
                        "write",
                        [self.contract.line_ids[:1].ids, {"price_unit": float("inf")}],
                    )
                ],
                "ValidationError",
                "must be a finite number",
            ),
            (
                "time entry: dated in the year 9999",
                "as_technician",
                [
                    (
                        "aftersales.intervention.time",
                        "create",
                        [
                            {
                                **entry,
                                "date_start": "9999-12-31 20:00:00",
                                "date_end": "9999-12-31 23:00:00",
                            }
                        ],
                    )
                ],
                "ValidationError",
                "dated between 2000 and 2099",
            ),
            (
                "time entry: ten years long",
                "as_technician",
                [
                    (
                        "aftersales.intervention.time",
                        "create",
                        [
                            {
                                **entry,
                                "date_start": "2026-04-01 08:00:00",
                                "date_end": "2036-04-01 08:00:00",
                            }
                        ],
                    )
                ],
                "ValidationError",
                "lasts at most 24 hours",
            ),
            (
                "intervention: a worksheet text of 2 MB",
                "as_technician",
                [
                    (
                        "aftersales.intervention",
                        "write",
                        [running, {"work_done": f"<p>{'word ' * 400_000}</p>"}],
                    )
                ],
                "ValidationError",
                "is too long to be printed",
            ),
            (
                "intervention: serial of another customer",
                "as_technician",
                [
                    (
                        "aftersales.intervention",
                        "create",
                        [
                            {
                                "summary": "Visit",
                                "partner_id": self.customer.id,
                                "lot_id": self.lot_other.id,
                            }
                        ],
                    )
                ],
                "ValidationError",
                "belongs to another customer",
            ),
            (
                "contract: a purchase journal",
                "as_manager",
                [
                    (
                        "aftersales.contract",
                        "create",
                        [
                            {
                                "partner_id": self.customer.id,
                                "date_start": "2026-01-01",
                                "journal_id": self._purchase_journal().id,
                            }
                        ],
                    )
                ],
                "ValidationError",
                "is not a sales journal of",
            ),
        ]

    def test_json_rpc(self):
        login = None
        for name, case_login, calls, error_name, message in self._rpc_cases():
            with self.subTest(case=name):
                if case_login != login:
                    login = case_login
                    self.authenticate(login, login)
                before = self._state()
                created = None
                with mute_logger("odoo.http", "odoo.sql_db"):
                    for model, method, args in calls:
                        if args == "created":
                            args = [[created]]
                        answer = self._call_kw(model, method, args)
                        created = answer.get("result")
                error = answer.get("error")
                self.assertTrue(error, f"refused: {answer}")
                self.assertEqual(error["data"]["name"], f"odoo.exceptions.{error_name}")
                self.assertRegex(error["data"]["message"], message)
                self.assertNotRegex(error["data"]["message"], RAW_DATABASE_TEXT)
                self._assert_unchanged(before)

    # ------------------------------------------------------------------
    # Portal: the forms a customer posts
    # ------------------------------------------------------------------
    def _portal_cases(self):
        new = "/my/tickets/new"
        ticket = {"subject": "Leak", "description": "It leaks"}
        mine, theirs = self.ticket.id, self.ticket_other.id
        return [
            (
                "new ticket: subject too long",
                "as_portal",
                new,
                {**ticket, "subject": "x" * 121},
                400,
                "too long",
            ),
            (
                "new ticket: no subject",
                "as_portal",
                new,
                {**ticket, "subject": "  "},
                400,
                "give a subject",
            ),
            (
                "new ticket: no description",
                "as_portal",
                new,
                {**ticket, "description": ""},
                400,
                "describe the problem",
            ),
            (
                "new ticket: NUL in the subject",
                "as_portal",
                new,
                {**ticket, "subject": "Leak\x00"},
                400,
                "NUL character",
            ),
            (
                "new ticket: NUL in the description",
                "as_portal",
                new,
                {**ticket, "description": "a\x00b"},
                400,
                "NUL character",
            ),
            (
                "new ticket: NUL in the serial",
                "as_portal",
                new,
                {**ticket, "lot_id": f"{self.lot.id}\x00"},
                400,
                "NUL character",
            ),
            (
                "new ticket: another customer's serial",
                "as_portal",
                new,
                {**ticket, "lot_id": str(self.lot_other.id)},
                400,
                "not one of your machines",
            ),
            (
                "new ticket: another company's serial",
                "as_portal",
                new,
                {**ticket, "lot_id": str(self.lot_b.id)},
                400,
                "not one of your machines",
            ),
            (
                "new ticket: serial that is not a number",
                "as_portal",
                new,
                {**ticket, "lot_id": "1 OR 1=1"},
                400,
                "not one of your machines",
            ),
            (
                "new ticket: guessed serial id",
                "as_portal",
                new,
                {**ticket, "lot_id": "9999999"},
                400,
                "not one of your machines",
            ),
            (
                "new ticket: file too large",
                "as_portal",
                new,
                {**ticket, "_file": True},
                400,
                "too large",
            ),
            (
                "new ticket: no CSRF token",
                "as_portal",
                new,
                {**ticket, "csrf_token": None},
                400,
                "",
            ),
            (
                "new ticket: forged CSRF token",
                "as_portal",
                new,
                {**ticket, "csrf_token": "forged"},
                400,
                "",
            ),
            (
                "close: another customer's ticket",
                "as_portal",
                f"/my/tickets/{theirs}/close",
                {},
                404,
                "",
            ),
            (
                "reopen: another customer's ticket",
                "as_portal",
                f"/my/tickets/{theirs}/reopen",
                {},
                404,
                "",
            ),
            ("close: guessed id", "as_portal", "/my/tickets/9999999/close", {}, 404, ""),
            (
                "close: wrong access token",
                "as_portal",
                f"/my/tickets/{theirs}/close",
                {"access_token": "guess"},
                404,
                "",
            ),
            (
                "close: own ticket without CSRF token",
                "as_portal",
                f"/my/tickets/{mine}/close",
                {"csrf_token": None},
                400,
                "",
            ),
            (
                "accept: another customer's contract",
                "as_portal",
                f"/my/contracts/{self.contract_other.id}/accept",
                {},
                303,
                "",
            ),
            (
                "accept: another company's customer",
                "as_portal_b",
                f"/my/contracts/{self.contract_other.id}/accept",
                {},
                303,
                "",
            ),
            (
                "new ticket: another company's serial (company B)",
                "as_portal_b",
                new,
                {**ticket, "lot_id": str(self.lot.id)},
                400,
                "not one of your machines",
            ),
            (
                "close: ticket of another company's customer",
                "as_portal_b",
                f"/my/tickets/{mine}/close",
                {},
                404,
                "",
            ),
        ]

    def test_portal(self):
        self.env["ir.config_parameter"].set_param("aftersales.portal_attachment_max_mb", "0.01")
        login = None
        for name, case_login, url, data, status, message in self._portal_cases():
            with self.subTest(case=name):
                if case_login != login:
                    login = case_login
                    self.authenticate(login, login)
                    token = Request.csrf_token(self)
                data = dict({"csrf_token": token}, **data)
                if data["csrf_token"] is None:
                    del data["csrf_token"]
                files = None
                if data.pop("_file", False):
                    files = {"attachments": ("photo.jpg", b"x" * 20000, "image/jpeg")}
                before = self._state()
                closed = (self.ticket.is_closed, self.ticket_other.is_closed)
                with mute_logger("odoo.http"):
                    response = self.url_open(
                        url, data=data, files=files, method="POST", allow_redirects=False
                    )
                self.assertEqual(response.status_code, status, response.text[:300])
                if status == 303:
                    self.assertRegex(response.headers["Location"], r"/my$")
                self.assertIn(message, response.text)
                self.assertNotRegex(response.text, RAW_DATABASE_TEXT)
                self._assert_unchanged(before)
                self.env.invalidate_all()
                self.assertEqual((self.ticket.is_closed, self.ticket_other.is_closed), closed)
                self.assertEqual(self.contract_other.state, "draft")
