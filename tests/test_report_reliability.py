from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common.report import AftersalesReportCase
from .common.web_client import WebClient

MEASURES = [
    "machine_years:sum",
    "calls:sum",
    "repairs:sum",
    "mtbf_days:avg",
    "mttr_hours:avg",
    "calls_per_year:avg",
    "cost_to_serve:sum",
    "fee:sum",
    "revenue_service:sum",
    "balance:sum",
    "cost_per_year:avg",
    "fee_per_year:avg",
]


def figures(*values):
    return dict(zip(MEASURES, values, strict=True))


@tagged("post_install", "-at_install")
class TestReportReliability(AftersalesReportCase):
    """A known fleet, hand-computed. The report counts until today (the database's
    date), so the deliveries are dated back from today: 1,461 days are 4.00 machine-years
    (4 x 365.25), 2,922 days 8.00.

    * L1, Aurora, delivered 1,461 days ago, covered by contract C with L3:
      ticket T1 with two corrective visits (done, 2 h and 3 h, costs 200 and 150): one
      call; a corrective visit without ticket (done, 1 h, cost 50, billed 80): a second
      call; a preventive visit (done, cost 100): no call; a cancelled corrective visit:
      no call.
      -> calls 2, repairs 3, repair hours 6, MTBF 1461 / 2 = 730.5 days, MTTR 6 / 3 = 2 h,
         0.5 calls per machine-year; cost 200 + 150 + 50 + 100 = 500 (125 per year);
         fee 600 / 2 serials = 300 (75 per year); earned 300 + 80 = 380; balance -120.
    * L2, Aurora, delivered 2,922 days ago, nothing happened: 8 machine-years, no call,
      no MTBF.
    * L3, Macina Pro, delivered 1,461 days ago, covered by C: four corrective visits
      without ticket (done, 30 minutes, cost 10 each)
      -> calls 4, MTBF 365.25, MTTR 0.5, 1 call per machine-year; cost 40 (10 per year);
         fee 300 (75 per year); balance 260.

    By model: Aurora = 12 machine-years, 2 calls, MTBF 4383 / 2 = 2191.5 days, MTTR 2 h,
    2 / 12 = 0.17 calls per machine-year, cost 500 / 12 = 41.67, fee 300 / 12 = 25 per
    year, balance -120. Macina Pro as L3.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.model_2 = cls.env["product.product"].create(
            {"name": "Macina Pro", "type": "consu", "is_storable": True, "tracking": "serial"}
        )
        cls.l1 = cls._create_lot(
            "REL-L1",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=today - timedelta(days=1461),
        )
        cls.l2 = cls._create_lot(
            "REL-L2",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=today - timedelta(days=2922),
        )
        cls.l3 = cls._create_lot(
            "REL-L3",
            product=cls.model_2,
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=today - timedelta(days=1461),
        )
        cls.contract = cls._create_contract(
            lines=[
                cls._fee_line(),
                cls._covered_line(lot=cls.l1),
                cls._covered_line(lot=cls.l3, product=cls.model_2),
            ],
            date_start=today - timedelta(days=400),
            date_end=today + timedelta(days=30),
        )
        cls._fee_invoice(cls.contract, 600.0, today - timedelta(days=300))
        start = datetime.combine(today - timedelta(days=100), time(9, 0))
        cls.ticket = cls._create_ticket(lot_id=cls.l1.id)
        corrective = {"intervention_type": "corrective", "lot_id": cls.l1.id}
        cls._done_intervention(start, 2, {"labour": 200.0}, ticket_id=cls.ticket.id, **corrective)
        cls._done_intervention(
            start + timedelta(days=1), 3, {"labour": 150.0}, ticket_id=cls.ticket.id, **corrective
        )
        alone = cls._done_intervention(
            start + timedelta(days=20), 1, {"labour": 50.0}, **corrective
        )
        cls._bill(alone, 80.0, today - timedelta(days=79))
        cls._done_intervention(
            start + timedelta(days=30),
            1,
            {"labour": 100.0},
            intervention_type="preventive",
            lot_id=cls.l1.id,
        )
        cls._done_intervention(start + timedelta(days=40), 1, state="cancel", **corrective)
        for day in range(4):
            cls._done_intervention(
                start + timedelta(days=day),
                0.5,
                {"labour": 10.0},
                intervention_type="corrective",
                lot_id=cls.l3.id,
            )
        cls.report = "aftersales.reliability.report"
        cls.env.flush_all()

    def _report(self, groupby, user=None):
        self.env = self.env(user=user or self.user_manager)
        lots = self.l1 | self.l2 | self.l3
        return self._groups(self.report, groupby, MEASURES, [("lot_id", "in", lots.ids)])

    def test_by_serial(self):
        self.assertEqual(
            self._report("lot_id"),
            {
                self.l1.id: figures(
                    4.0, 2, 3, 730.5, 2.0, 0.5, 500.0, 300.0, 80.0, -120.0, 125.0, 75.0
                ),
                self.l2.id: figures(8.0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
                self.l3.id: figures(
                    4.0, 4, 4, 365.25, 0.5, 1.0, 40.0, 300.0, 0.0, 260.0, 10.0, 75.0
                ),
            },
        )

    def test_by_model(self):
        self.assertEqual(
            self._report("product_id"),
            {
                self.machine.id: figures(
                    12.0, 2, 3, 2191.5, 2.0, 0.17, 500.0, 300.0, 80.0, -120.0, 41.67, 25.0
                ),
                self.model_2.id: figures(
                    4.0, 4, 4, 365.25, 0.5, 1.0, 40.0, 300.0, 0.0, 260.0, 10.0, 75.0
                ),
            },
        )

    def test_ranking_costs_more_than_it_earns(self):
        losses = self.env[self.report].search(
            [("lot_id", "in", (self.l1 | self.l2 | self.l3).ids), ("balance", "<", 0)]
        )
        self.assertEqual(losses.lot_id, self.l1)

    def test_serial_form(self):
        lot = self.l1.with_user(self.user_manager)
        self.assertEqual(lot.aftersales_calls, 2)
        self.assertAlmostEqual(lot.aftersales_mtbf_days, 730.5)
        self.assertAlmostEqual(lot.aftersales_mttr_hours, 2.0)
        self.assertAlmostEqual(lot.aftersales_cost_per_year, 125.0)
        self.assertAlmostEqual(lot.aftersales_fee_per_year, 75.0)
        self.assertAlmostEqual(lot.aftersales_service_balance, -120.0)
        accountant = self.l1.with_user(self.user_accountant)
        self.assertAlmostEqual(accountant.aftersales_cost_per_year, 125.0)
        technician = self.l1.with_user(self.user_technician)
        self.assertEqual(technician.aftersales_calls, 2)
        self.assertAlmostEqual(technician.aftersales_mtbf_days, 730.5)
        for money in (
            "aftersales_cost_per_year",
            "aftersales_fee_per_year",
            "aftersales_service_balance",
        ):
            with self.subTest(field=money), self.assertRaises(AccessError):
                technician.read([money])

    def test_roles(self):
        with self.assertRaises(AccessError):
            self.env[self.report].with_user(self.user_technician).search([])
        for user in (self.user_manager, self.user_accountant):
            with self.subTest(user=user.login):
                self.assertEqual(len(self._report("lot_id", user=user)), 3)

    def test_every_view_opens_for_the_roles_that_see_margins(self):
        for xmlid in (
            "aftersales.aftersales_reliability_report_action",
            "aftersales.aftersales_reliability_report_action_loss",
        ):
            action = self.env.ref(xmlid)
            for user in (self.user_manager, self.user_accountant):
                with self.subTest(action=xmlid, user=user.login):
                    client = WebClient(self.env(user=user))
                    self.assertTrue(client.open_action(action))

    def test_serial_form_per_role(self):
        """The registry's serial form: technicians see the figures without the money."""
        for user, money in ((self.user_technician, False), (self.user_manager, True)):
            with self.subTest(user=user.login):
                client = WebClient(self.env(user=user))
                values = client.open_form(
                    self.l1, view_id=self.env.ref("aftersales.stock_lot_view_form_aftersales").id
                )
                self.assertEqual(values[0]["aftersales_calls"], 2)
                self.assertEqual("aftersales_cost_per_year" in values[0], money)
