from datetime import date
from unittest.mock import patch

from odoo.fields import Domain
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common.billing import BillingCase

# The add-on's crons that do not go in batches, and why.
NOT_BATCHED = {
    "aftersales.ir_cron_aftersales_ticket_sla": "set-based SQL, a fixed number of queries",
    "aftersales.ir_cron_aftersales_technician_capacity": "one refresh of a fixed window",
}
BILLING_LOGGER = "odoo.addons.aftersales.models.aftersales_intervention_invoicing"


@tagged("post_install", "-at_install")
class TestBatchWork(BillingCase):
    """The shared plumbing of batch work (``aftersales.cron.mixin``): every batch cron
    runs one loop (commit, lock, re-check, work, record what failed), a batch that fails
    is retried one by one, and contracts activated together get their preventive visits
    in one batch."""

    def _spy_loops(self):
        """Patch the cron loop: {model: [records recorded as failed]} of each loop run."""
        Mixin = self.registry["aftersales.cron.mixin"]
        loop = Mixin._cron_in_batches
        runs = []

        def spy(model, find, work, record_errors=None, **kwargs):
            failed = []
            runs.append((model._name, failed))

            def record(errors):
                failed.extend(errors)
                return record_errors(errors)

            return loop(model, find, work, record if record_errors else None, **kwargs)

        return runs, patch.object(Mixin, "_cron_in_batches", spy)

    # ------------------------------------------------------------------
    # The cron loop
    # ------------------------------------------------------------------
    def test_every_batch_cron_runs_the_shared_loop(self):
        crons = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.cron")]
        )
        self.assertGreaterEqual(len(crons), 7)
        for xmlid in (f"aftersales.{data.name}" for data in crons):
            runs, spy = self._spy_loops()
            with self.subTest(cron=xmlid), spy:
                self._run_cron(xmlid)
                cron = self.env.ref(xmlid)
                if xmlid in NOT_BATCHED:
                    self.assertFalse(runs)
                else:
                    self.assertTrue(runs, f"{xmlid} does not run the shared loop")
                    self.assertEqual({model for model, _failed in runs}, {cron.model_id.model})

    def test_loop_commits_then_locks_then_rechecks_then_works(self):
        Partner = self.env["res.partner"]
        p0, p1, p2, _p3, p4 = partners = Partner.create([{"name": f"P{i}"} for i in range(5)])
        todo = Domain("id", "in", partners.ids) & Domain("ref", "=", False)
        events = []

        def commit(cron, processed=0, *, remaining=None, deactivate=False):
            events.append(("commit", processed, remaining))
            return 60.0

        def find(skipped):
            batch = Partner.search(todo & Domain("id", "not in", skipped), limit=2, order="id")
            return batch, Partner.search_count(todo & Domain("id", "not in", skipped))

        def lock(batch):
            events.append(("lock", batch.mapped("name")))
            p1.ref = "done by a concurrent run"
            return batch - p4  # held by another transaction

        def work(records):
            events.append(("work", records.mapped("name")))
            (records - p2).ref = "done"
            return len(records), {p2: "no VAT number"} if p2 in records else {}

        def record(errors):
            events.append(("record", [partner.name for partner in errors]))

        with patch.object(self.registry["ir.cron"], "_commit_progress", commit):
            Partner.env["aftersales.contract"]._cron_in_batches(
                find, work, record, lock=lock, recheck=todo
            )
        self.assertEqual(
            events,
            [
                ("commit", 0, 5),
                ("lock", ["P0", "P1"]),
                ("work", ["P0"]),  # P1 re-checked: done meanwhile
                ("commit", 1, None),
                ("commit", 0, 3),
                ("lock", ["P2", "P3"]),
                ("work", ["P2", "P3"]),
                ("record", ["P2"]),
                ("commit", 2, None),
                ("commit", 0, 1),  # P2 failed: not again in this run
                ("lock", ["P4"]),
                ("commit", 0, None),  # P4 held elsewhere: skipped
            ],
        )
        self.assertEqual(partners.mapped("ref")[2:], [False, "done", False])
        self.assertEqual(p0.ref, "done")

    def test_a_failing_signed_report_is_recorded_the_others_posted(self):
        first, second, third = (self._done() for _i in range(3))
        (first | second | third).sudo().signed_report_pending = True
        Intervention = self.registry["aftersales.intervention"]

        def post(intervention):
            if intervention == second:
                raise ValueError("wkhtmltopdf failed")
            intervention.sudo().signed_report_pending = False

        runs, spy = self._spy_loops()
        with (
            spy,
            patch.object(Intervention, "_post_signed_report", post),
            self.assertLogs("odoo.addons.aftersales.models.aftersales_intervention_worksheet"),
        ):
            self._run_cron("aftersales.ir_cron_aftersales_signed_report")
        self.assertEqual(runs, [("aftersales.intervention", [second])])
        self.assertEqual(
            (first | second | third).mapped("signed_report_pending"), [False, True, False]
        )

    # ------------------------------------------------------------------
    # A batch, then one by one
    # ------------------------------------------------------------------
    def test_batch_then_one_by_one(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(3)])
        bad = partners[1]
        calls = []

        def work(part):
            calls.append(part.ids)
            part.ref = "worked"
            if bad in part:
                raise RuntimeError("bad part")
            return len(part)

        results, errors = self.env["aftersales.contract"]._batch_then_one_by_one(
            work, partners, partners
        )
        self.assertEqual(calls, [partners.ids, *([p.id] for p in partners)])
        self.assertEqual(results, [1, 1])
        self.assertEqual(list(errors), [bad])
        self.assertIsInstance(errors[bad], RuntimeError)
        self.assertEqual(partners.mapped("ref"), ["worked", False, "worked"])
        # a batch that goes through is done in one call
        calls.clear()
        results, errors = self.env["aftersales.contract"]._batch_then_one_by_one(
            work, partners - bad, partners - bad
        )
        self.assertEqual((calls, results, errors), ([(partners - bad).ids], [2], {}))

    @freeze_time("2026-05-10")
    def test_contract_invoices_made_one_by_one_when_the_batch_fails(self):
        good, bad = self._create_contract(), self._create_contract()
        Move = self.registry["account.move"]
        create = Move.create

        def create_but_bad(moves, vals_list):
            if any(vals.get("aftersales_contract_id") == bad.id for vals in vals_list):
                raise RuntimeError("The customer has no tax number")
            return create(moves, vals_list)

        runs, spy = self._spy_loops()
        with spy, patch.object(Move, "create", create_but_bad):
            self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertEqual(runs, [("aftersales.contract", [bad])])
        self.assertEqual(len(good.sudo().invoice_ids), 2, "Q1 and Q2")
        self.assertFalse(bad.sudo().invoice_ids)
        self.assertIn("no tax number", bad.invoicing_error)
        self.assertEqual(bad.next_period_start, date(2026, 1, 1), "left as it was")

    @freeze_time("2026-05-10")
    def test_a_period_invoiced_already_is_said_so(self):
        contract = self._create_contract()
        contract.action_create_invoices()
        # as if Q2 had not been invoiced
        contract.sudo().next_period_start = date(2026, 4, 1)
        contract.line_ids.sudo().date_last_invoiced = date(2026, 3, 31)
        with mute_logger("odoo.sql_db"):
            self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertIn(
            "period ending 06/30/2026 has already been invoiced", contract.invoicing_error
        )
        self.assertEqual(len(contract.sudo().invoice_ids), 2)

    @freeze_time("2026-05-10")
    def test_contract_invoices_posted_one_by_one_when_the_batch_fails(self):
        self.company.aftersales_invoice_post = True
        good, bad = self._create_contract(), self._create_contract()
        Move = self.registry["account.move"]
        post = Move._post

        def post_but_bad(moves, soft=True):
            if bad in moves.aftersales_contract_id:
                raise RuntimeError("The journal is locked")
            return post(moves, soft)

        with patch.object(Move, "_post", post_but_bad):
            self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertEqual(set(good.sudo().invoice_ids.mapped("state")), {"posted"})
        self.assertEqual(set(bad.sudo().invoice_ids.mapped("state")), {"draft"})
        self.assertIn("The journal is locked", bad.invoicing_error)
        self.assertFalse(good.invoicing_error)

    def test_customers_invoiced_one_by_one_when_the_batch_fails(self):
        mine = self._done(date_end=self._day(3))
        theirs = self._done(
            date_end=self._day(4), partner_id=self.customer_other.id, ticket_id=False, lot_id=False
        )
        for intervention in mine | theirs:
            self._standard_charges(intervention)
        Intervention = self.registry["aftersales.intervention"]
        bill_and_invoice = Intervention._bill_and_invoice_whole

        def fail_for_mine(interventions):
            if mine in interventions:
                raise RuntimeError("The customer's fiscal position is missing")
            return bill_and_invoice(interventions)

        runs, spy = self._spy_loops()
        with (
            spy,
            patch.object(Intervention, "_bill_and_invoice_whole", fail_for_mine),
            self.assertLogs(BILLING_LOGGER, "WARNING") as logs,
        ):
            self._run_cron("aftersales.ir_cron_aftersales_intervention_invoice")
        # customers left when the run ends: the scheduler calls it again, which tries
        # the failing one once more
        self.assertEqual(runs, [("aftersales.intervention", [self.customer])] * 2)
        self.assertIn("fiscal position is missing", logs.output[0])
        self.assertFalse(mine.sudo().sale_order_ids)
        self.assertTrue(theirs.sudo().sale_order_ids.invoice_ids)

    # ------------------------------------------------------------------
    # Activation
    # ------------------------------------------------------------------
    @freeze_time("2026-01-01 06:00:00")
    def test_contracts_activated_together_get_their_visits_in_one_batch(self):
        january = self._create_contract(
            lines=[self._fee_line(), self._covered_line(self.lot, preventive_visits=2)],
            activate=False,
        )
        march = self._create_contract(
            lines=[self._fee_line(), self._covered_line(self.lot_other, preventive_visits=3)],
            activate=False,
            partner_id=self.customer_other.id,
            date_start=date(2026, 3, 1),
            date_end=date(2027, 2, 28),
        )
        Contract = self.registry["aftersales.contract"]
        with patch.object(
            Contract,
            "_create_preventive_visits",
            autospec=True,
            side_effect=Contract._create_preventive_visits,
        ) as create_visits:
            (january | march).action_activate()
        self.assertEqual(create_visits.call_count, 1)
        self.assertEqual(
            [
                (contract.preventive_intervention_ids.mapped("preventive_year_start"))
                for contract in (january, march)
            ],
            [[date(2026, 1, 1)] * 2, [date(2026, 3, 1)] * 3],
        )
