from datetime import date

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractRenewal(AftersalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.istat = cls.env["aftersales.price.index"].create(
            {
                "name": "ISTAT FOI",
                "value_ids": [
                    Command.create({"date": date(2025, 12, 1), "value": 120.0}),
                    Command.create({"date": date(2026, 9, 1), "value": 123.0}),
                ],
            }
        )

    def _renewable(self, **vals):
        return self._create_contract(
            lines=[self._fee_line(price=100.0), self._fee_line(price=200.0, qty=2.0)],
            **{"renewal_type": "tacit", "notice_days": 90, "renewal_months": 12, **vals},
        )

    @freeze_time("2026-10-05")
    def test_tacit_renewal_by_cron_after_notice_date(self):
        contract = self._renewable(adjustment_method="percent", adjustment_percent=2.5)
        self.assertEqual(contract.date_notice, date(2026, 10, 2))
        self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        new = contract.successor_ids
        self.assertEqual(len(new), 1)
        self.assertEqual(new.state, "active", "tacit renewal needs no acceptance")
        self.assertEqual((new.date_start, new.date_end), (date(2027, 1, 1), date(2027, 12, 31)))
        self.assertEqual(new.next_period_start, date(2027, 1, 1))
        self.assertEqual(new.line_ids.mapped("price_unit"), [102.5, 205.0])
        self.assertEqual(contract.line_ids.mapped("price_unit"), [100.0, 200.0], "term unchanged")
        self.assertEqual(new.predecessor_id, contract)
        revisions = new.revision_ids.sorted("old_price")
        self.assertEqual(revisions.mapped("old_price"), [100.0, 200.0])
        self.assertEqual(revisions.mapped("new_price"), [102.5, 205.0])
        self.assertEqual(set(revisions.mapped("method")), {"percent"})
        self.assertEqual(set(revisions.mapped("date")), {date(2026, 10, 5)})
        self.assertNotIn("accepted", contract.message_ids[:1].body or "")
        # A second run does nothing more.
        self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        self.assertEqual(len(contract.successor_ids), 1)

    @freeze_time("2026-09-01")
    def test_not_renewed_before_notice_date(self):
        contract = self._renewable()
        self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        self.assertFalse(contract.successor_ids)

    def test_cancellation_notice_before_deadline_stops_tacit_renewal(self):
        contract = self._renewable()
        with freeze_time("2026-09-15"):
            contract.action_cancel_renewal()
        self.assertTrue(contract.renewal_cancelled)
        with freeze_time("2026-10-15"):
            self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        self.assertFalse(contract.successor_ids)
        with freeze_time("2027-01-02"):
            contract.action_create_invoices()
            self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        self.assertEqual(contract.state, "closed")

    def test_cancellation_notice_after_deadline_refused(self):
        contract = self._renewable()
        with freeze_time("2026-10-03"), self.assertRaisesRegex(UserError, "renews tacitly"):
            contract.action_cancel_renewal()
        self.assertFalse(contract.renewal_cancelled)

    @freeze_time("2026-10-05")
    def test_renewal_by_proposal_is_activated_on_acceptance(self):
        contract = self._renewable(renewal_type="proposal", adjustment_method="line_percent")
        contract.line_ids[0].renewal_percent = 10.0
        contract.line_ids[1].renewal_percent = -5.0
        self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        proposal = contract.successor_ids
        self.assertEqual(proposal.state, "draft")
        self.assertEqual(proposal.line_ids.mapped("price_unit"), [110.0, 190.0])
        self.assertTrue(proposal._can_be_accepted_in_portal())
        proposal.action_activate()
        self.assertEqual(proposal.state, "active")
        self.assertEqual(contract.state, "active", "the current term runs to its end")

    @freeze_time("2026-10-05")
    def test_lump_sum_spread_in_proportion_and_rounded(self):
        # 100 + 2 x 200 = 500 becomes 600: every line takes its share (+20%).
        contract2 = self._renewable(adjustment_method="lump_sum", adjustment_amount=600.0)
        new2 = contract2._renew(date(2026, 10, 5))
        self.assertEqual(new2.amount_untaxed, 600.0)
        self.assertEqual(new2.line_ids.mapped("price_unit"), [120.0, 240.0])

    @freeze_time("2026-10-05")
    def test_lump_sum_residue_lands_on_largest_line(self):
        contract = self._create_contract(
            lines=[
                self._fee_line(price=100.0),
                self._fee_line(price=100.0),
                self._fee_line(price=100.0),
            ],
            renewal_type="tacit",
            adjustment_method="lump_sum",
            adjustment_amount=100.0,
        )
        new = contract._renew(date(2026, 10, 5))
        self.assertEqual(sorted(new.line_ids.mapped("price_unit")), [33.33, 33.33, 33.34])
        self.assertEqual(new.amount_untaxed, 100.0)

    @freeze_time("2026-10-05")
    def test_index_adjustment_with_share(self):
        contract = self._renewable(
            adjustment_method="index", index_id=self.istat.id, index_share=75.0
        )
        new = contract._renew(date(2026, 10, 5))
        # 123 / 120 = +2.5%, of which 75% = +1.875%: 100 -> 101.875 -> 101.88 (EUR rounding).
        self.assertEqual(new.line_ids.mapped("price_unit"), [101.88, 203.75])
        revision = new.revision_ids.filtered(lambda r: r.old_price == 100.0)
        self.assertEqual((revision.index_old_value, revision.index_new_value), (120.0, 123.0))
        self.assertEqual(revision.method, "index")

    @freeze_time("2026-10-05")
    def test_index_without_value_reports_clearly(self):
        index = self.env["aftersales.price.index"].create({"name": "Empty index"})
        contract = self._renewable(adjustment_method="index", index_id=index.id)
        with self.assertRaisesRegex(UserError, "no value"):
            contract._renew(date(2026, 10, 5))
        self.assertFalse(contract.successor_ids)
        # The cron records the failure on the contract and goes on.
        other = self._renewable(adjustment_method="percent", adjustment_percent=1.0)
        self._run_cron("aftersales.ir_cron_aftersales_contract_renew")
        self.assertFalse(contract.successor_ids)
        self.assertTrue(other.successor_ids)
        self.assertIn("Renewal failed", contract.message_ids[0].body)

    def test_renewal_of_open_ended_or_inactive_contract_refused(self):
        open_ended = self._create_contract(date_end=False, renewal_type="tacit")
        with self.assertRaisesRegex(UserError, "open-ended"):
            open_ended.action_renew()
        draft = self._create_contract(activate=False, renewal_type="tacit")
        with self.assertRaisesRegex(UserError, "Only active"):
            draft.action_renew()

    def test_manual_renewal_button(self):
        contract = self._renewable(renewal_type="proposal")
        with freeze_time("2026-06-01"):
            action = contract.action_renew()
        new = self.env["aftersales.contract"].browse(action["res_id"])
        self.assertEqual(new.predecessor_id, contract)
        self.assertEqual(new.state, "draft")
        with self.assertRaisesRegex(UserError, "already been renewed"):
            contract.action_renew()

    @freeze_time("2026-06-01")
    def test_database_refuses_second_live_successor(self):
        contract = self._renewable(renewal_type="proposal")
        proposal = contract._renew(date(2026, 6, 1))
        # A second next term written past the checks (another path, a concurrent one):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            proposal.copy({"predecessor_id": contract.id})
            self.env.flush_all()
        # A cancelled proposal does not count: the contract may be renewed again ...
        proposal.action_cancel()
        second = contract._renew(date(2026, 6, 1))
        self.assertEqual(second.state, "draft")
        # ... and then the cancelled one cannot come back as a second live successor.
        with self.assertRaisesRegex(UserError, "already been renewed"):
            proposal.action_draft()
        self.assertEqual(proposal.state, "cancel")

    def _assert_check_violation(self, record, vals):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            record.write(vals)
            record.env.flush_all()

    def test_bad_adjustments_refused_by_database(self):
        contract = self._renewable()
        self._assert_check_violation(contract, {"adjustment_percent": -100.5})
        self._assert_check_violation(contract.line_ids[0], {"renewal_percent": -101.0})
        self._assert_check_violation(contract, {"adjustment_amount": -1.0})
        self._assert_check_violation(self.istat.value_ids[0], {"value": 0.0})
        self._assert_check_violation(self.istat.value_ids[0], {"value": -3.0})
        self._assert_check_violation(self.template, {"adjustment_percent": -150.0})
        contract.invalidate_recordset()
        self.assertEqual(contract.adjustment_percent, 0.0)

    def test_no_revision_for_lines_without_price(self):
        contract = self._create_contract(
            lines=[self._fee_line(price=100.0), self._covered_line(self._create_lot("AUR-0009"))],
            renewal_type="proposal",
            adjustment_method="percent",
            adjustment_percent=3.0,
        )
        with freeze_time("2026-10-05"):
            new = contract._renew(date(2026, 10, 5))
        self.assertEqual(new.revision_ids.mapped("old_price"), [100.0])
        self.assertEqual(new.revision_ids.new_price, 103.0)
        self.assertEqual(len(new.line_ids), 2)

    def test_renewed_serial_coverage_does_not_overlap(self):
        lot = self._create_lot("AUR-0001")
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(lot)], renewal_type="tacit"
        )
        with freeze_time("2026-10-05"):
            new = contract._renew(date(2026, 10, 5))
        self.assertEqual(new.state, "active")
        self.assertEqual(new.line_ids.lot_id, lot)
        # but a third contract over the same dates is refused
        with self.assertRaisesRegex(ValidationError, "already covered"):
            self._create_contract(lines=[self._covered_line(lot)])
