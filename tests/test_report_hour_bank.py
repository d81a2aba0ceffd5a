from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesCase

MEASURES = [
    "bought_hours:sum",
    "carried_in_hours:sum",
    "consumed_hours:sum",
    "expired_hours:sum",
    "carried_out_hours:sum",
    "remaining_hours:sum",
]


@tagged("post_install", "-at_install")
class TestReportHourBank(AftersalesCase):
    """Hour banks month by month, from their ledgers, by hand.

    Bank A (January to March 2026): bought 20 h on 10 Jan, consumed 3 h on 20 Jan
    (17 left), topped up 10 h on 5 Feb, consumed 4.5 h on 25 Feb (22.5 left), nothing
    in March until the 22.5 h left expire on 31 Mar (0 left).
    Bank B (February to April 2026): bought 8 h on 1 Feb, consumed 2 h on 10 Feb (6
    left), no move in March or April: 6 h remain each month.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a = cls._bank(date(2026, 1, 1), date(2026, 3, 31))
        cls.bank_b = cls._bank(date(2026, 2, 1), date(2026, 4, 30))
        # the ledger written by the hour bank's API, each move on its day
        cls.bank_a._hour_bank_top_up(20.0, kind="purchase", date="2026-01-10")
        cls.bank_a._hour_bank_draw({"normal": 3.0}, date="2026-01-20")
        cls.bank_a._hour_bank_top_up(10.0, date="2026-02-05")
        cls.bank_a._hour_bank_draw({"normal": 4.5}, date="2026-02-25")
        with freeze_time("2026-03-31"):
            cls.bank_a.action_close()  # the 22.5 h left expire
        cls.bank_b._hour_bank_top_up(8.0, kind="purchase", date="2026-02-01")
        cls.bank_b._hour_bank_draw({"normal": 2.0}, date="2026-02-10")
        cls.banks = cls.bank_a | cls.bank_b
        cls.env.flush_all()

    @classmethod
    def _bank(cls, start, end):
        return cls._create_contract(contract_kind="hour_bank", date_start=start, date_end=end)

    def _groups(self, groupby):
        rows = self.env["aftersales.hour.bank.report"]._read_group(
            [("contract_id", "in", self.banks.ids)], [groupby], MEASURES
        )
        return {row[0]: list(row[1:]) for row in rows}

    def test_every_measure_grouped_by_month(self):
        # January: A bought 20, consumed 3, 17 left.
        # February: A topped up 10, consumed 4.5, 22.5 left; B bought 8, consumed 2,
        # 6 left: bought 18, consumed 6.5, remaining 28.5.
        # March: A expired 22.5, 0 left; B 6 left. April: B 6 left.
        self.assertEqual(
            self._groups("date:month"),
            {
                date(2026, 1, 1): [20.0, 0.0, 3.0, 0.0, 0.0, 17.0],
                date(2026, 2, 1): [18.0, 0.0, 6.5, 0.0, 0.0, 28.5],
                date(2026, 3, 1): [0.0, 0.0, 0.0, 22.5, 0.0, 6.0],
                date(2026, 4, 1): [0.0, 0.0, 0.0, 0.0, 0.0, 6.0],
            },
        )

    def test_totals_per_bank_match_the_ledger(self):
        groups = self._groups("contract_id")
        for bank in self.banks:
            with self.subTest(bank=bank.name):
                bought, _carried_in, consumed, expired, _out, _remaining = groups[bank]
                self.assertEqual(bought, bank.hour_bank_hours)
                self.assertEqual(consumed, bank.hour_bank_used)
                self.assertEqual(bought - consumed - expired, bank.hour_bank_remaining)
        # A: 30 bought, 7.5 consumed, 22.5 expired; B: 8, 2, none
        self.assertEqual(groups[self.bank_a][:4], [30.0, 0.0, 7.5, 22.5])
        self.assertEqual(groups[self.bank_b][:4], [8.0, 0.0, 2.0, 0.0])

    def test_last_month_remaining_is_the_bank_balance(self):
        rows = self.env["aftersales.hour.bank.report"].search(
            [("contract_id", "in", self.banks.ids)], order="date desc"
        )
        for bank in self.banks:
            last = rows.filtered(lambda r, b=bank: r.contract_id == b)[:1]
            self.assertEqual(last.remaining_hours, bank.hour_bank_remaining)

    def _stored(self, bank):
        rows = self.env["aftersales.hour.bank.month"].search([("contract_id", "=", bank.id)])
        return [(r.month, r.bought_hours, r.consumed_hours, r.remaining_hours) for r in rows]

    def test_ledger_keeps_the_months(self):
        """The months the report reads are stored, and follow the ledger when a move is
        added (even back-dated), changed or given back."""
        # B: February bought 8, consumed 2, 6 left (April and later come from the view)
        self.assertEqual(self._stored(self.bank_b), [(date(2026, 2, 1), 8.0, 2.0, 6.0)])
        # a 5 h top-up dated back to 20 Feb, a 1 h consumption on 15 Apr:
        # Feb 13 bought, 11 left; Mar nothing, 11 left; Apr 1 consumed, 10 left
        self.bank_b._hour_bank_top_up(5.0, date="2026-02-20")
        april = self.bank_b._hour_bank_draw({"normal": 1.0}, date="2026-04-15").moves
        self.assertEqual(
            self._stored(self.bank_b),
            [
                (date(2026, 2, 1), 13.0, 2.0, 11.0),
                (date(2026, 3, 1), 0.0, 0.0, 11.0),
                (date(2026, 4, 1), 0.0, 1.0, 10.0),
            ],
        )
        # a move written by other means (the API never edits one): 1.5 h instead of 1,
        # 9.5 left in April
        april.sudo().hours = -1.5
        self.assertEqual(self._stored(self.bank_b)[-1], (date(2026, 4, 1), 0.0, 1.5, 9.5))
        # the ledger is only appended to: a move is given back, never removed
        with self.assertRaises(UserError):
            april.sudo().unlink()
        # given back on its own date: April consumes nothing net, 11 h left
        self.bank_b._hour_bank_give_back(april)
        self.assertEqual(self._stored(self.bank_b)[-1], (date(2026, 4, 1), 0.0, 0.0, 11.0))
        self.assertEqual(
            self._groups("date:month")[date(2026, 4, 1)], [0.0, 0.0, 0.0, 0.0, 0.0, 11.0]
        )

    def test_access(self):
        # A: January to March, B: February to April: 6 rows
        Report = self.env["aftersales.hour.bank.report"]
        domain = [("contract_id", "in", self.banks.ids)]
        self.assertEqual(len(Report.with_user(self.user_manager).search(domain)), 6)
        self.assertEqual(len(Report.with_user(self.user_accountant).search(domain)), 6)
        self.assertFalse(Report.with_user(self.user_technician).has_access("read"))
