from datetime import date, datetime, time, timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common.report import AftersalesReportCase
from .common.web_client import WebClient, eval_context

MODULE = "aftersales"

# Models of the add-on without any company, each shared by every company on purpose.
WITHOUT_COMPANY = {
    "aftersales.ticket.stage": "the help desk's columns (New, In Progress, Solved): "
    "configuration without customers, people or money, offered to the teams of every company",
}
# Models whose rows may have no company: such a row is shared by every company on purpose
# (their rule is company_ids + [False]); every other row of every model has a company.
SHARED_WHEN_EMPTY = {
    "aftersales.contract.template": "a template without company is offered to every company",
    "aftersales.price.index": "a published index (ISTAT FOI) is the same for every company",
    "aftersales.price.index.value": "the values of a shared index",
}
# Core models the add-on extends: their company is reached through a parent, or they
# have none by Odoo's own design.
CORE_COMPANY_PATHS = {"fleet.vehicle.odometer": "vehicle_id.company_id"}
CORE_WITHOUT_COMPANY = {"res.company": "the companies themselves"}

RELIABILITY = [
    "machine_years:sum",
    "calls:sum",
    "repairs:sum",
    "cost_to_serve:sum",
    "fee:sum",
    "balance:sum",
    "cost_per_year:avg",
]


def addon_models(env):
    """Every model the add-on defines, tables and SQL views (reports) alike."""
    return sorted(
        name
        for name, model in env.registry.items()
        if model._original_module == MODULE and not model._abstract and not model._transient
    )


def extended_models(env):
    """The core models the add-on adds fields to."""
    own = set(addon_models(env))
    return sorted(
        {
            field.model_name
            for model in env.registry.values()
            for field in model._fields.values()
            if field._module == MODULE and field.model_name not in own
        }
        - {name for name, model in env.registry.items() if model._abstract or model._transient}
    )


def company_path(model):
    field = model._fields.get("company_id")
    if field is not None and field.type == "many2one" and field.comodel_name == "res.company":
        return "company_id"
    return CORE_COMPANY_PATHS.get(model._name)


@tagged("post_install", "-at_install")
class TestMultiCompany(AftersalesReportCase):
    """Companies do not see each other (issue 16, point 3).

    Company B gets the whole of the add-on: a customer, serials, a contract covering a
    serial of a chain that both companies serve, with its posted fee, an hour bank with
    its ledger, a template, a rate card and its zone, a price index and its value, a
    price revision, a team and its ticket, interventions done with their charges, a
    planned one with its bookings (technician and van) and time entries, a technician's
    weekly capacity. Company A has the same kind of records. The tests walk the
    registry: every model the add-on defines, every report (SQL view) and every core
    model it extends, as every role of A, through search, read_group and every window
    action of the add-on. A model added later is walked without a new test; a model
    with no company fails unless it is listed in WITHOUT_COMPANY with the reason.

    The reliability world, computed by hand: serial SHARED has no company (Odoo 19's
    default), was delivered 1,461 days ago (4.00 machine-years) and is worked by both:

    * A: one corrective visit done (2 h, cost 200), its contract (covering SHARED only)
      billed 600: calls 1, cost 200, fee 600, balance 400, cost per year 50;
    * B: two corrective visits done (3 h cost 1,000 and 1 h cost 500), its contract
      billed 900: calls 2, cost 1,500, fee 900, balance -600, cost per year 375.

    The old report gave SHARED one row without company, which A's manager and
    accountant read with calls 3, cost 1,700 and fees 1,500.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            cls.company.chart_template or "generic_coa", cls.company_b, install_demo=False
        )
        cls.env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids))
        cls.user_manager_b = new_test_user(
            cls.env,
            login="as_manager_b",
            name="Bianca Manager of B",
            groups="aftersales.group_aftersales_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        # a manager of both companies, working in A only
        cls.user_manager_ab = new_test_user(
            cls.env,
            login="as_manager_ab",
            name="Aldo Manager of A and B",
            groups="aftersales.group_aftersales_manager,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        today = fields.Date.today()
        # a chain of bars, customer of both companies (a partner without company)
        cls.chain = cls.env["res.partner"].create({"name": "Catena Bar Italia", "is_company": True})
        cls.shared = cls._create_lot(
            "MC-SHARED",
            aftersales_customer_id=cls.chain.id,
            aftersales_delivery_date=today - timedelta(days=1461),
        )
        cls.world_a = cls._build_world(cls.env, cls.customer, cls.team, cls.employee, "A")
        cls.world_b = cls._build_world(
            cls.env_b,
            cls.customer_b,
            cls._create_team_b(),
            cls.employee_b,
            "B",
        )
        start = datetime.combine(today - timedelta(days=100), time(9, 0))
        corrective = {
            "intervention_type": "corrective",
            "lot_id": cls.shared.id,
            "partner_id": cls.chain.id,
        }
        cls.done_a = cls._done_intervention(start, 2, {"labour": 200.0}, **corrective)
        b_vals = {
            **corrective,
            "company_id": cls.company_b.id,
            "team_id": cls.world_b["team"].id,
            "employees": cls.employee_b,
        }
        cls.done_b = cls._done_intervention(start, 3, {"labour": 1000.0}, **b_vals)
        cls.done_b |= cls._done_intervention(
            start + timedelta(days=7), 1, {"labour": 500.0}, **b_vals
        )
        cls._invoice_fee(cls.env, cls.world_a["contract"], 600.0, today - timedelta(days=300))
        cls._invoice_fee(cls.env_b, cls.world_b["contract"], 900.0, today - timedelta(days=100))
        # a serial without company that only B delivered, and one only B's manager
        # recorded: B's serials, whatever their empty company says
        cls.delivered_b = cls._deliver_b("MC-DELIVERED-B")
        cls.recorded_b = (
            cls.env["stock.lot"]
            .with_user(cls.user_manager_b)
            .with_company(cls.company_b)
            .sudo()
            .create(
                {
                    "name": "MC-RECORDED-B",
                    "product_id": cls.machine.id,
                    "aftersales_delivery_date": today - timedelta(days=30),
                }
            )
        )
        cls.env.flush_all()

    # ------------------------------------------------------------------
    # The two companies' worlds
    # ------------------------------------------------------------------
    @classmethod
    def _create_team_b(cls):
        calendar = cls._create_calendar("Company B 8-17", "Europe/Rome")
        calendar.company_id = cls.company_b
        return cls.env_b["aftersales.team"].create(
            {
                "name": "Team of B",
                "company_id": cls.company_b.id,
                "resource_calendar_id": calendar.id,
                "response_hours": 8.0,
                "resolution_hours": 16.0,
                "notify_receipt": False,
            }
        )

    @classmethod
    def _build_world(cls, env, customer, team, employee, tag):
        """One company's records of every model of the add-on (``env`` works in it)."""
        company = env.company
        today = fields.Date.today()
        # the catalogue's fee product opens company A's template: B sells its own
        product = cls.fee_product
        if company != cls.company:
            product = env["product.product"].create(
                {"name": f"Maintenance of {tag}", "type": "service", "company_id": company.id}
            )
        no_tax = {"tax_ids": [Command.clear()], "product_id": product.id}
        first_term = {
            "A": (today - timedelta(days=400), today - timedelta(days=200)),
            "B": (today - timedelta(days=199), today + timedelta(days=30)),
        }[tag]
        contract = cls._create_contract(
            lines=[cls._fee_line(**no_tax), cls._covered_line(lot=cls.shared)],
            partner_id=cls.chain.id,
            company_id=company.id,
            date_start=first_term[0],
            date_end=first_term[1],
        )
        bank = cls._create_contract(
            lines=[cls._fee_line(**no_tax)],
            partner_id=customer.id,
            company_id=company.id,
            contract_kind="hour_bank",
            hour_bank_hours=10.0,
        )
        index = env["aftersales.price.index"].create(
            {"name": f"Index of {tag}", "company_id": company.id}
        )
        env["aftersales.price.index.value"].create(
            {"index_id": index.id, "date": date(2026, 1, 1), "value": 100.0}
        )
        env["aftersales.contract.revision"].create(
            {
                "contract_id": contract.id,
                "date": today,
                "method": "percent",
                "old_price": 300.0,
                "new_price": 306.0,
            }
        )
        env["aftersales.contract.template"].create(
            {"name": f"Template of {tag}", "company_id": company.id, "index_id": index.id}
        )
        card = env["aftersales.rate.card"].create(
            {"name": f"Card of {tag}", "company_id": company.id, "travel_mode": "zone"}
        )
        env["aftersales.rate.card.zone"].create(
            {"rate_card_id": card.id, "name": "Town", "max_km": 10.0, "price": 20.0}
        )
        ticket = env["aftersales.ticket"].create(
            {
                "subject": f"Ticket of {tag}",
                "partner_id": customer.id,
                "team_id": team.id,
            }
        )
        brand = env["fleet.vehicle.model.brand"].create({"name": f"Brand {tag}"})
        van = env["fleet.vehicle"].create(
            {
                "model_id": env["fleet.vehicle.model"]
                .create({"name": "Van", "brand_id": brand.id})
                .id,
                "license_plate": f"VAN-{tag}",
                "company_id": company.id,
            }
        )
        planned = cls._create_intervention(
            employees=employee,
            company_id=company.id,
            partner_id=customer.id,
            team_id=team.id,
            ticket_id=ticket.id,
            vehicle_id=van.id,
            date_planned_start=datetime(2026, 6, 3, 7, 0),
            date_planned_end=datetime(2026, 6, 3, 9, 0),
        )
        planned.action_plan()
        env["aftersales.intervention.time"].create(
            {
                "intervention_id": planned.id,
                "employee_id": employee.id,
                "time_type": "work",
                "date_start": datetime(2026, 6, 3, 7, 0),
                "date_end": datetime(2026, 6, 3, 8, 30),
            }
        )
        cls._add_costs(planned, {"labour": 45.0})
        env["aftersales.technician.capacity"].create(
            {"employee_id": employee.id, "week_start": date(2026, 6, 1), "available_hours": 40.0}
        )
        return {
            "contract": contract,
            "bank": bank,
            "team": team,
            "ticket": ticket,
            "planned": planned,
        }

    @classmethod
    def _invoice_fee(cls, env, contract, amount, day):
        fee_line = contract.line_ids.filtered("product_id")[:1]
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": contract.partner_id.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": fee_line.product_id.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                            "aftersales_contract_line_id": fee_line.id,
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _deliver_b(cls, name):
        """A serial without company delivered by B to a customer shared by everyone."""
        env = cls.env_b
        warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company_b.id)], limit=1)
        lot = env["stock.lot"].create({"name": name, "product_id": cls.machine.id})
        lot.company_id = False
        customers = env.ref("stock.stock_location_customers")
        env["stock.quant"]._update_available_quantity(
            cls.machine, warehouse.lot_stock_id, 1.0, lot_id=lot
        )
        picking = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": cls.customer_other.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": cls.machine.id,
                            "product_uom_qty": 1,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.button_validate()
        return lot

    # ------------------------------------------------------------------
    # The walk
    # ------------------------------------------------------------------
    def _roles(self):
        """Each role of company A, as the web client runs it: the technician, the
        manager and the accountant of A, and a manager of A and B working in A."""
        work_in_a = {"allowed_company_ids": self.company.ids}
        return [
            ("technician", self.env(user=self.user_technician)),
            ("manager", self.env(user=self.user_manager)),
            ("accountant", self.env(user=self.user_accountant)),
            ("manager of A and B in A", self.env(user=self.user_manager_ab, context=work_in_a)),
        ]

    def _walked(self):
        """(model, path to its company) of every model with a company: the add-on's,
        its reports and the core models it extends."""
        names = addon_models(self.env) + extended_models(self.env)
        paths = [(name, company_path(self.env[name])) for name in names]
        return [(name, path) for name, path in paths if path]

    def _assert_nothing_of_b(self, records, path, what):
        leaked = records.sudo().with_context(active_test=False).mapped(path) & self.company_b
        self.assertFalse(leaked, f"{what}: {len(records)} rows, some of company B")

    def test_every_model_has_a_company_and_a_rule(self):
        models = addon_models(self.env)
        reports = [name for name in models if not self.env[name]._auto]
        self.assertIn("aftersales.reliability.report", reports)
        self.assertIn("aftersales.service.level.report", reports)
        for name in [*models, *extended_models(self.env)]:
            with self.subTest(model=name):
                path = company_path(self.env[name])
                if path is None:
                    self.assertIn(
                        name,
                        {**WITHOUT_COMPANY, **CORE_WITHOUT_COMPANY},
                        "a model without company: give it one, or say in WITHOUT_COMPANY "
                        "why every company shares it",
                    )
                    continue
                if name not in models:
                    continue  # a core model: Odoo's own rules
                rules = self.env["ir.rule"].search(
                    [("model_id.model", "=", name), ("global", "=", True)]
                )
                self.assertTrue(
                    any("company_ids" in rule.domain_force for rule in rules),
                    "a model with a company needs a multi-company rule",
                )

    def test_every_row_has_a_company(self):
        """No row of a table or of a report without company (a row without company is
        read by every company), but where an empty company means shared on purpose;
        company B's world reaches every model (the walk is not empty)."""
        for name in addon_models(self.env):
            path = company_path(self.env[name])
            if path is None:
                continue
            Model = self.env[name].with_context(active_test=False)
            with self.subTest(model=name):
                if name not in SHARED_WHEN_EMPTY:
                    self.assertEqual(Model.search_count([(path, "=", False)]), 0)
                self.assertTrue(
                    Model.search_count([(path, "=", self.company_b.id)]),
                    "company B's world has no row of this model: add one to the fixture",
                )

    def test_roles_of_a_see_nothing_of_b(self):
        for role, env in self._roles():
            for name, path in self._walked():
                Model = env[name].with_context(active_test=False)
                if not Model.has_access("read"):
                    continue
                with self.subTest(role=role, model=name):
                    self._assert_nothing_of_b(Model.search([]), path, "search")
                    self.assertFalse(Model.search_count([(path, "=", self.company_b.id)]))
                    if path == "company_id":
                        groups = Model._read_group([], ["company_id"], ["__count"])
                        self.assertNotIn(self.company_b, [company for company, _n in groups])

    def test_window_actions_of_a_show_nothing_of_b(self):
        """Every window action of the add-on, with its own domain, context and default
        filters, as every role of A that may read its model."""
        actions = self.env["ir.actions.act_window"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", MODULE), ("model", "=", "ir.actions.act_window")])
            .mapped("res_id")
        )
        walked = dict(self._walked())
        self.assertTrue(actions)
        for action in actions:
            path = walked.get(action.res_model)
            if path is None:
                continue
            for role, env in self._roles():
                Model = env[action.res_model]
                if not Model.has_access("read"):
                    continue
                with self.subTest(action=action.name, role=role):
                    context = safe_eval(action.context or "{}", eval_context(env))
                    Model = Model.with_context(**context)
                    domain = safe_eval(action.domain or "[]", eval_context(env))
                    search_view = Model.get_views(
                        [(action.search_view_id.id, "search")], {"load_filters": True}
                    )["views"]["search"]
                    domain = list(domain) + WebClient(env)._default_filters(search_view, context)
                    self._assert_nothing_of_b(Model.search(domain), path, action.name)
                    if path == "company_id":
                        groups = Model._read_group(domain, ["company_id"], ["__count"])
                        self.assertNotIn(self.company_b, [company for company, _n in groups])

    # ------------------------------------------------------------------
    # The examples of the issue
    # ------------------------------------------------------------------
    def test_technician_of_a_reads_no_booking_of_b(self):
        Booking = self.env["aftersales.intervention.booking"]
        bookings_b = self.world_b["planned"].booking_ids
        self.assertEqual(len(bookings_b), 2)  # the technician and the van
        self.assertEqual(bookings_b.company_id, self.company_b)
        seen = Booking.with_user(self.user_technician).search([])
        self.assertEqual(seen, self.world_a["planned"].booking_ids)
        self.assertFalse(seen & bookings_b)

    def test_reliability_rows_per_company(self):
        """SHARED has one row in A and one in B, each with its company's sums only."""
        by_company = self._groups(
            "aftersales.reliability.report",
            "company_id",
            RELIABILITY,
            [("lot_id", "=", self.shared.id)],
        )
        self.assertEqual(
            by_company,
            {
                self.company.id: dict(
                    zip(RELIABILITY, [4.0, 1, 1, 200.0, 600.0, 400.0, 50.0], strict=True)
                ),
                self.company_b.id: dict(
                    zip(RELIABILITY, [4.0, 2, 2, 1500.0, 900.0, -600.0, 375.0], strict=True)
                ),
            },
        )
        for role, env in self._roles():
            if role == "technician":
                continue  # no access to the reliability report (margins)
            with self.subTest(role=role):
                rows = env["aftersales.reliability.report"]._read_group(
                    [("lot_id", "=", self.shared.id)], ["lot_id"], RELIABILITY
                )
                self.assertEqual(
                    [[round(value or 0.0, 2) for value in row[1:]] for row in rows],
                    [[4.0, 1, 1, 200.0, 600.0, 400.0, 50.0]],
                )

    def test_serials_without_company_go_to_the_company_that_knows_them(self):
        Report = self.env["aftersales.reliability.report"]
        for lot, company in (
            (self.shared, self.company | self.company_b),
            (self.delivered_b, self.company_b),
            (self.recorded_b, self.company_b),
            (self.lot, self.company),  # recorded by the administrator of A, idle
        ):
            with self.subTest(lot=lot.name):
                self.assertFalse(lot.company_id)
                self.assertEqual(Report.search([("lot_id", "=", lot.id)]).company_id, company)
        manager = Report.with_user(self.user_manager)
        self.assertFalse(
            manager.search([("lot_id", "in", (self.delivered_b | self.recorded_b).ids)])
        )

    def test_coverage_stays_in_its_company(self):
        """On the day of the calls, SHARED is under B's contract (A's ended 100 days
        before): B's calls are covered by it; A's call is not (it was refused with
        "Contract ... belongs to company Other Company B")."""
        self.assertEqual(self.done_b.contract_id, self.world_b["contract"])
        self.assertEqual(set(self.done_b.mapped("coverage_kind")), {"contract"})
        self.assertFalse(self.done_a.contract_id)
        self.assertNotEqual(self.done_a.coverage_kind, "contract")
        ticket = self.env["aftersales.ticket"].create(
            {"subject": "Steam leak", "partner_id": self.chain.id, "lot_id": self.shared.id}
        )
        self.assertEqual(ticket.company_id, self.company)
        self.assertNotEqual(ticket.contract_id, self.world_b["contract"])
        ticket_b = self.env_b["aftersales.ticket"].create(
            {
                "subject": "Steam leak",
                "partner_id": self.chain.id,
                "lot_id": self.shared.id,
                "team_id": self.world_b["team"].id,
            }
        )
        self.assertEqual(ticket_b.contract_id, self.world_b["contract"])

    def test_serial_form_shows_the_figures_of_the_company_worked_in(self):
        lot = self.shared.with_user(self.user_manager_ab)
        in_a = lot.with_context(allowed_company_ids=self.company.ids)
        self.assertEqual((in_a.aftersales_calls, in_a.aftersales_cost_per_year), (1, 50.0))
        in_b = lot.with_context(allowed_company_ids=self.company_b.ids)
        self.assertEqual((in_b.aftersales_calls, in_b.aftersales_cost_per_year), (2, 375.0))
