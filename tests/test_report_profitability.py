from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common.report import AftersalesReportCase
from .common.web_client import WebClient

MEASURES = [
    "revenue:sum",
    "revenue_fee:sum",
    "revenue_service:sum",
    "cost_time:sum",
    "cost_travel:sum",
    "cost_materials:sum",
    "cost_expenses:sum",
    "cost_subcontract:sum",
    "cost_total:sum",
    "margin:sum",
    "margin_percent:avg",
]


def figures(*values):
    return dict(zip(MEASURES, values, strict=True))


@tagged("post_install", "-at_install")
class TestReportProfitability(AftersalesReportCase):
    """A known world, hand-computed to the cent.

    * Contract C1 (Bar Centrale), serial L1: fee invoice of 300.00 posted on 15 Jan 2026,
      credit note of 50.00 on 10 Feb 2026 -> fees 250.00; a draft fee invoice of 999.00
      does not count.
    * I1, done 20 Jan 2026 on L1 (so on C1) by Tina and Teo: labour 100.00, travel 25.00,
      materials 40.01, expenses 10.00 -> cost 175.01; billed 200.00 (posted).
      Split evenly, the odd cent on the first technician (Tina, lower id):
      Tina: labour 50.00, travel 12.50, materials 40.01 - 20.01 = 20.00, expenses 5.00,
            cost 175.01 - 87.51 = 87.50, revenue 100.00, margin 12.50
      Teo:  labour 50.00, travel 12.50, materials ROUND(20.005) = 20.01, expenses 5.00,
            cost 87.51, revenue 100.00, margin 12.49
    * I2, done 5 Feb 2026 for Dolce Vita by Tina, no contract: labour 60.00,
      subcontracting 90.00 -> cost 150.00; billed 300.00 (posted), and 999.00 more on a
      draft invoice that does not count.
    * I3, planned (not done), cost 500.00: not in the report.
    * I4 of company B, cost 1,000.00: not seen from company A.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._create_lot("PROF-L1")
        cls.c1 = cls._create_contract(
            lines=[cls._fee_line(), cls._covered_line(lot=cls.lot)],
            date_start=date(2026, 1, 1),
        )
        cls._fee_invoice(cls.c1, 300.0, date(2026, 1, 15))
        cls._fee_invoice(cls.c1, 50.0, date(2026, 2, 10), move_type="out_refund")
        draft = cls._fee_invoice(cls.c1, 999.0, date(2026, 2, 11))
        draft.button_draft()
        cls.i1 = cls._done_intervention(
            datetime(2026, 1, 20, 9, 0),
            2,
            costs={"labour": 100.0, "travel": 25.0, "material": 40.01, "expense": 10.0},
            employees=cls.employee | cls.employee_2,
            lot_id=cls.lot.id,
            intervention_type="corrective",
        )
        cls._bill(cls.i1, 200.0, date(2026, 1, 21))
        cls.i2 = cls._done_intervention(
            datetime(2026, 2, 5, 9, 0),
            3,
            costs={"labour": 60.0, "subcontract": 90.0},
            partner_id=cls.customer_other.id,
        )
        cls._bill(cls.i2, 300.0, date(2026, 2, 6))
        cls._bill(cls.i2, 999.0, date(2026, 2, 6), post=False)
        cls.i3 = cls._done_intervention(
            datetime(2026, 2, 9, 9, 0), 1, costs={"labour": 500.0}, state="planned"
        )
        cls.i4 = cls._done_intervention(
            datetime(2026, 2, 9, 9, 0),
            1,
            costs={"labour": 1000.0},
            employees=cls.employee_b,
            company_id=cls.company_b.id,
            partner_id=cls.customer_b.id,
            team_id=False,
        )
        cls.report = "aftersales.profitability.report"
        cls.env.flush_all()

    def _report(self, groupby, user=None):
        self.env = self.env(user=user or self.user_manager)
        return self._groups(self.report, groupby, MEASURES)

    def test_world(self):
        self.assertEqual(self.i1.contract_id, self.c1)
        self.assertFalse(self.i2.contract_id)
        self.assertEqual(self.i1.cost_total, 175.01)
        self.assertEqual(self.i1.revenue, 200.0)
        self.assertEqual(self.i2.revenue, 300.0)

    def test_by_month(self):
        # Jan: fee 300 + I1 (200 - 175.01) -> revenue 500, cost 175.01, margin 324.99,
        #      margin % = 324.99 / 500 = 65.00 (64.998)
        # Feb: credit note -50 + I2 (300 - 150) -> revenue 250, cost 150, margin 100, 40%
        self.assertEqual(
            self._report("date:month"),
            {
                date(2026, 1, 1): figures(
                    500.0, 300.0, 200.0, 100.0, 25.0, 40.01, 10.0, 0.0, 175.01, 324.99, 65.0
                ),
                date(2026, 2, 1): figures(
                    250.0, -50.0, 300.0, 60.0, 0.0, 0.0, 0.0, 90.0, 150.0, 100.0, 40.0
                ),
            },
        )

    def test_by_technician(self):
        # Tina: I1 half (100 - 87.50) + I2 (300 - 150) -> 400, 237.50, 162.50,
        #       40.625 % (40.62 to the cent, half-even)
        # Teo:  I1 half (100 - 87.51) -> 12.49, 12.49 %
        # no technician: the fees, 250 at 100 %
        self.assertEqual(
            self._report("employee_id"),
            {
                self.employee.id: figures(
                    400.0, 0.0, 400.0, 110.0, 12.5, 20.0, 5.0, 90.0, 237.5, 162.5, 40.62
                ),
                self.employee_2.id: figures(
                    100.0, 0.0, 100.0, 50.0, 12.5, 20.01, 5.0, 0.0, 87.51, 12.49, 12.49
                ),
                False: figures(250.0, 250.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 250.0, 100.0),
            },
        )

    def test_by_contract_and_customer(self):
        # C1: fees 250 + I1 200 = 450, cost 175.01, margin 274.99, 61.11 %
        # none: I2, 300 - 150 = 150, 50 %
        c1 = figures(450.0, 250.0, 200.0, 100.0, 25.0, 40.01, 10.0, 0.0, 175.01, 274.99, 61.11)
        other = figures(300.0, 0.0, 300.0, 60.0, 0.0, 0.0, 0.0, 90.0, 150.0, 150.0, 50.0)
        self.assertEqual(self._report("contract_id"), {self.c1.id: c1, False: other})
        self.assertEqual(
            self._report("partner_id"), {self.customer.id: c1, self.customer_other.id: other}
        )

    def test_matches_the_interventions(self):
        """The report's intervention rows add up to the interventions' own figures."""
        done = self.i1 | self.i2
        self.env = self.env(user=self.user_manager)  # company A
        totals = self._groups(
            self.report, "line_type", ["revenue:sum", "cost_total:sum", "margin:sum"]
        )["intervention"]
        self.assertEqual(totals["revenue:sum"], sum(done.mapped("revenue")))
        self.assertEqual(totals["cost_total:sum"], round(sum(done.mapped("cost_total")), 2))
        self.assertEqual(totals["margin:sum"], round(sum(done.mapped("margin")), 2))

    def test_technician_count_follows_the_technicians(self):
        """The split reads the count stored on the intervention: it follows the team.
        Teo leaves I1: Tina alone carries it all, labour 100.00, cost 175.01."""
        self.assertEqual((self.i1.technician_count, self.i2.technician_count), (2, 1))
        self.i1.employee_ids = self.employee
        self.assertEqual(self.i1.technician_count, 1)
        self.env.flush_all()
        rows = self.env[self.report].search([("intervention_id", "=", self.i1.id)])
        self.assertEqual(rows.employee_id, self.employee)
        self.assertEqual((rows.cost_time, rows.cost_total), (100.0, 175.01))
        self.assertEqual(rows.technician_share, 1.0)

    def test_roles(self):
        with self.assertRaises(AccessError):
            self.env[self.report].with_user(self.user_technician).search([])
        for user in (self.user_manager, self.user_accountant):
            with self.subTest(user=user.login):
                totals = self._report("company_id", user=user)
                self.assertEqual(list(totals), [self.company.id])
                self.assertEqual(totals[self.company.id]["revenue:sum"], 750.0)
                self.assertEqual(totals[self.company.id]["cost_total:sum"], 325.01)

    @freeze_time("2026-03-02")  # the action's default filter: the last 12 months
    def test_every_view_opens_for_the_roles_that_see_margins(self):
        action = self.env.ref("aftersales.aftersales_profitability_report_action")
        for user in (self.user_manager, self.user_accountant):
            with self.subTest(user=user.login):
                client = WebClient(self.env(user=user))
                records = client.open_action(action)
                self.assertEqual(len(records), 5)  # 2 fee lines, I1 twice, I2
                modes = {mode for model, mode, _ids in client.read if model == self.report}
                self.assertEqual(modes, {"list"})
        self.assertFalse(self.env[self.report].with_user(self.user_technician).has_access("read"))
