from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractMoney(AftersalesCase):
    """Amounts to the cent, computed by hand in each test."""

    def _line_of(self, contract, price):
        return contract.invoice_ids.invoice_line_ids.filtered(
            lambda line: line.aftersales_contract_line_id.price_unit == price
        )

    @freeze_time("2026-02-11")
    def test_prorata_fraction_carried_in_quantity(self):
        # February 2026 has 28 days; 11-28 February is 18 of them.
        # 7 x 10.00 x 18/28 = 45.00, and 4.5 units at 10.00 say so; a unit price rounded
        # to 10 x 18/28 = 6.43 would give 7 x 6.43 = 45.01.
        # With 10% off: 45.00 x 0.9 = 40.50 (7 x 6.43 x 0.9 = 40.509 would give 40.51).
        contract = self._create_contract(
            date_start=date(2026, 2, 11),
            billing_period="monthly",
            lines=[
                self._fee_line(price=10.0, qty=7.0, tax_ids=[]),
                self._fee_line(price=20.0, qty=7.0, discount=10.0, tax_ids=[]),
            ],
        )
        contract.action_create_invoices()
        line = self._line_of(contract, 10.0)
        self.assertEqual((line.quantity, line.price_unit), (4.5, 10.0))
        self.assertEqual(line.price_subtotal, 45.0)
        discounted = self._line_of(contract, 20.0)
        # 7 x 20.00 x 18/28 x 0.9 = 81.00
        self.assertEqual((discounted.quantity, discounted.price_unit), (4.5, 20.0))
        self.assertEqual(discounted.price_subtotal, 81.0)
        self.assertEqual(contract.invoice_ids.amount_untaxed, 126.0)

    @freeze_time("2026-09-01")
    def test_prorata_fraction_too_fine_for_quantity_rounds_the_amount(self):
        # Q3 2026 has 92 days; 1-30 September is 30 of them.
        # 7 x 10.00 x 30/92 = 22.8260... -> 22.83 (7 x round(3.2608) = 7 x 3.26 = 22.82,
        # and 7 x 30/92 = 2.28 units would give 22.80).
        # 1 x 300.00 x 30/92 = 97.8260... -> 97.83.
        contract = self._create_contract(
            date_start=date(2026, 9, 1),
            lines=[
                self._fee_line(price=10.0, qty=7.0, tax_ids=[]),
                self._fee_line(price=300.0, tax_ids=[]),
            ],
        )
        contract.action_create_invoices()
        seven = self._line_of(contract, 10.0)
        self.assertEqual(
            (seven.quantity, seven.price_unit, seven.price_subtotal), (1, 22.83, 22.83)
        )
        self.assertIn("pro rata of 7 units", seven.name)
        one = self._line_of(contract, 300.0)
        self.assertEqual((one.quantity, one.price_unit, one.price_subtotal), (1, 97.83, 97.83))
        self.assertEqual(contract.invoice_ids.amount_untaxed, 120.66)

    @freeze_time("2026-10-05")
    def test_lump_sum_reaches_the_new_total_to_the_cent(self):
        # 3 x 50 + 75 + 75 = 300 becomes 100: shares 50.00, 25.00 and 25.00.
        # 50.00 / 3 = 16.67 a unit, but 3 x 16.67 = 50.01: total 100.01. No price of the
        # 3-unit line gives 49.99 (16.66 -> 49.98), so the next line takes the cent: 24.99.
        contract = self._create_contract(
            lines=[
                self._fee_line(price=50.0, qty=3.0),
                self._fee_line(price=75.0),
                self._fee_line(price=75.0),
            ],
            renewal_type="tacit",
            adjustment_method="lump_sum",
            adjustment_amount=100.0,
        )
        new = contract._renew(date(2026, 10, 5))
        self.assertEqual(new.line_ids.mapped("price_unit"), [16.67, 24.99, 25.0])
        self.assertEqual(new.line_ids.mapped("price_subtotal"), [50.01, 24.99, 25.0])
        self.assertEqual(new.amount_untaxed, 100.0)

    @freeze_time("2026-10-05")
    def test_lump_sum_out_of_reach_is_refused(self):
        # Two lines of 3 units: every amount is a multiple of 0.03, and 100.00 is not.
        contract = self._create_contract(
            lines=[self._fee_line(price=50.0, qty=3.0), self._fee_line(price=50.0, qty=3.0)],
            renewal_type="tacit",
            adjustment_method="lump_sum",
            adjustment_amount=100.0,
        )
        with self.assertRaisesRegex(UserError, "cannot be reached exactly"):
            contract._renew(date(2026, 10, 5))
        self.assertFalse(contract.successor_ids)

    def test_next_invoice_date_follows_alignment_and_start(self):
        contract = self._create_contract(date_start=date(2026, 2, 15), billing_mode="arrears")
        # calendar quarters: the first period ends with Q1
        self.assertEqual(contract.next_invoice_date, date(2026, 3, 31))
        contract.period_alignment = "start"
        # from the start date: 15 February - 14 May
        self.assertEqual(contract.next_invoice_date, date(2026, 5, 14))
        with freeze_time("2026-05-20"):
            contract.action_create_invoices()
        self.assertEqual(contract.next_period_start, date(2026, 5, 15))
        self.assertEqual(contract.next_invoice_date, date(2026, 8, 14))
        # The start date moves after the first invoice: the periods follow their new anchor.
        contract.date_start = date(2026, 2, 20)
        self.assertEqual(contract.next_period_start, date(2026, 5, 15), "already invoiced")
        self.assertEqual(contract.next_invoice_date, date(2026, 5, 19))
