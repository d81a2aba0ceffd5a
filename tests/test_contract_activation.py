from datetime import date
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common.base import AftersalesCase

# Queries of activating a batch of contracts, the same for 5 and for 50 contracts
# (chatter off, as in these fixtures): reading the contracts, their lines and the lines'
# fields; the overlap check's one search and the other lines it finds; writing the state
# and the lines' copy of it.
ACTIVATION_QUERIES = 7
# With the chatter on: 3 more (the messages' author, as user and partner, and company),
# and Odoo's tracking of the new state inserts a message and a tracking value for each
# contract.
ACTIVATION_QUERIES_TRACKED = 10
TRACKING_QUERIES_PER_CONTRACT = 2


@tagged("post_install", "-at_install")
class TestContractActivation(AftersalesCase):
    """Activating many contracts in one call (a renewal run, an import): the serial
    overlap check runs once, over one search, and costs the same queries for 5
    contracts as for 50; its refusals still name the contract in the way."""

    def _proposals(self, n, prefix):
        """``n`` serials, each under last year's active contract, and this year's
        proposals covering them (and billing a fee)."""
        lots = self.env["stock.lot"].create(
            [{"name": f"{prefix}-{i:03d}", "product_id": self.machine.id} for i in range(n)]
        )

        def contracts(start, end):
            return self.env["aftersales.contract"].create(
                [
                    {
                        "partner_id": self.customer.id,
                        "date_start": start,
                        "date_end": end,
                        "line_ids": [self._fee_line(), self._covered_line(lot)],
                    }
                    for lot in lots
                ]
            )

        contracts(date(2025, 1, 1), date(2025, 12, 31)).action_activate()
        proposals = contracts(date(2026, 1, 1), date(2026, 12, 31))
        self.env.flush_all()
        self.env.invalidate_all()
        return proposals

    def _queries(self, action):
        """The queries of ``action()``, the chatter's precommit writes included."""
        self.env.flush_all()
        self.env.cr.flush()
        count0 = self.cr.sql_log_count
        action()
        self.env.flush_all()
        self.env.cr.flush()
        return self.cr.sql_log_count - count0

    def test_activation_queries_do_not_grow_with_the_contracts(self):
        self._proposals(2, "WARM").action_activate()
        counts = {}
        for n in (5, 50):
            proposals = self._proposals(n, f"ACT{n}")
            with self.assertQueryCount(ACTIVATION_QUERIES):
                counts[n] = self._queries(proposals.action_activate)
            self.assertEqual(set(proposals.mapped("state")), {"active"})
        self.assertEqual(counts[50], counts[5], counts)

    def test_activation_with_the_chatter(self):
        """With the chatter on, as in production, Odoo's tracking of the new state
        inserts one message and one tracking value per contract; nothing else grows."""
        Contract = self.env["aftersales.contract"].with_context(tracking_disable=False)
        for warm_up in ("WARM1", "WARM2"):  # the first tracked flush loads more metadata
            self._queries(self._proposals(2, warm_up).with_env(Contract.env).action_activate)
        counts = {}
        for n in (5, 50):
            proposals = self._proposals(n, f"TRK{n}").with_env(Contract.env)
            expected = ACTIVATION_QUERIES_TRACKED + TRACKING_QUERIES_PER_CONTRACT * n
            with self.assertQueryCount(expected):
                counts[n] = self._queries(proposals.action_activate)
            self.assertEqual(set(proposals.mapped("state")), {"active"})
        self.assertEqual(counts[50] - counts[5], TRACKING_QUERIES_PER_CONTRACT * 45, counts)

    def test_the_overlap_check_runs_once_per_activation(self):
        proposals = self._proposals(3, "ONCE")
        Line = self.registry["aftersales.contract.line"]
        check = Line._check_lot_not_covered_twice
        checked = []

        def counting(lines):
            if lines:
                checked.append(lines)
            return check(lines)

        with patch.object(Line, "_check_lot_not_covered_twice", counting):
            proposals.action_activate()
            self.env.flush_all()
        self.assertEqual(checked, [proposals.line_ids])

    def test_a_refusal_names_the_contract_in_the_way_and_activates_none(self):
        proposals = self._proposals(20, "REF")
        lot = proposals[7].line_ids.lot_id
        summer = self._create_contract(
            lines=[self._covered_line(lot)], date_start=date(2026, 6, 1), date_end=False
        )
        with self.assertRaisesRegex(
            ValidationError,
            rf"^Serial {lot.name} is already covered by contract {summer.name} "
            r"in an overlapping period\.$",
        ):
            proposals.action_activate()
        self.assertEqual(set(proposals.mapped("state")), {"draft"})

    def test_two_proposals_of_one_batch_on_the_same_serial(self):
        proposals = self._proposals(10, "PAIR")
        lot = proposals[3].line_ids.lot_id
        twin = self._create_contract(
            lines=[self._covered_line(lot)],
            activate=False,
            date_start=date(2026, 12, 31),
            date_end=False,
        )
        with self.assertRaisesRegex(
            ValidationError, rf"^Serial {lot.name} is already covered by contract {twin.name} "
        ):
            (proposals | twin).action_activate()
        self.assertEqual(set((proposals | twin).mapped("state")), {"draft"})
        # a day later, the twin follows on: the whole batch goes active
        twin.date_start = date(2027, 1, 1)
        (proposals | twin).action_activate()
        self.assertEqual(set((proposals | twin).mapped("state")), {"active"})
