from datetime import date

from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesCase

# Queries the run may spend per batch beyond the invoices themselves, whatever its size:
# finding the lines, moving the contracts and their lines on (grouped writes).
BATCH_OVERHEAD = 12
# ... and per contract: at most this many on top of creating its invoice.
PER_CONTRACT = 3


@tagged("post_install", "-at_install")
class TestContractInvoicingQueries(AftersalesCase):
    """Invoicing N contracts costs what creating their N invoices costs, plus a little."""

    def _contracts(self, n):
        contracts = self.env["aftersales.contract"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2026, 3, 1),
                    "billing_period": "monthly",
                    "line_ids": [self._fee_line(price=90.0), self._fee_line(price=35.0)],
                }
                for _ in range(n)
            ]
        )
        contracts.action_activate()
        return contracts

    def _baseline_queries(self, contracts, today):
        """Queries of one account.move.create of the same invoices, rolled back."""
        vals_list = []
        for contract in contracts:
            vals = contract._prepare_period_invoice(today)["invoice_vals"]
            for key in (
                "aftersales_contract_id",
                "aftersales_period_start",
                "aftersales_period_end",
            ):
                vals.pop(key)
            for command in vals["invoice_line_ids"]:
                command[2].pop("aftersales_contract_line_id")
            vals_list.append(vals)
        self.env.invalidate_all()
        Move = self.env["account.move"].with_context(
            default_move_type="out_invoice", tracking_disable=True
        )
        with self.env.cr.savepoint(flush=False) as savepoint:
            count0 = self.cr.sql_log_count
            Move.create(vals_list)
            self.env.flush_all()
            count = self.cr.sql_log_count - count0
            savepoint.rollback()
        self.env.invalidate_all()
        return count

    @freeze_time("2026-03-05")
    def test_query_count_flat_in_batch_size(self):
        today = date(2026, 3, 5)
        extra = {}
        for n in (5, 25):
            contracts = self._contracts(n)
            self._baseline_queries(contracts, today)  # warm-up: first-time loads of metadata
            baseline = self._baseline_queries(contracts, today)
            count0 = self.cr.sql_log_count
            with self.assertQueryCount(baseline + BATCH_OVERHEAD + PER_CONTRACT * n):
                moves, errors = contracts._invoice_next_period(today)
            extra[n] = self.cr.sql_log_count - count0 - baseline
            self.assertFalse(errors)
            self.assertEqual(len(moves), n)
            self.assertEqual(set(contracts.mapped("next_period_start")), {date(2026, 4, 1)})
        # what the contracts add to the invoices does not grow with their number
        self.assertLessEqual(extra[25], extra[5] + 2, extra)

    @freeze_time("2026-03-05")
    def test_lines_with_their_own_dates_stay_grouped(self):
        contracts = self._contracts(10)
        contracts[:5].write(
            {"line_ids": [Command.create({"product_id": self.fee_product.id, "price_unit": 10.0})]}
        )
        moves, errors = contracts._invoice_next_period(date(2026, 3, 5))
        self.assertFalse(errors)
        self.assertEqual(len(moves.invoice_line_ids), 25)
