from contextlib import contextmanager
from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .common.billing import BillingCase
from .common.charges import AftersalesChargeCase


def _force_state(intervention, state):
    """The status as an attacker or a bug may leave it: written in the database, so that
    the guards below are seen to check the records, not the status."""
    intervention.env.flush_all()
    intervention.env.cr.execute(
        "UPDATE aftersales_intervention SET state = %s WHERE id = %s", [state, intervention.id]
    )
    intervention.invalidate_recordset(["state"])


@tagged("post_install", "-at_install")
@freeze_time("2026-06-05 12:00")
class TestInterventionHourBankCancel(AftersalesChargeCase):
    """A finished call drew hours from an hour bank and was billed and invoiced: it is
    never deleted, and cancelling it gives the hours back and credits the invoice."""

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back what the failing call wrote) and its message."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))

    def _billed_bank_call(self):
        """2 bank hours; 1.5 normal hours and 1 overtime hour worked (an overtime hour is
        2 bank hours): 1.5 + 0.25 overtime h drawn, 0.75 overtime h billed at 62.40 =
        46.80, plus the call-out 35.00: the customer pays 81.80, invoiced and posted."""
        bank = self._bank(2.0, hour_bank_overage="bill", hour_bank_overtime_factor=2.0)
        intervention = self._intervention()
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 30))
        self._entry(intervention, datetime(2026, 6, 3, 15, 0), datetime(2026, 6, 3, 16, 0))
        self._finish(intervention)
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        intervention.with_user(self.user_manager).action_create_sale_order()
        invoice = intervention.sudo()._invoice_due()
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_untaxed, 81.8, places=2)
        self.assertAlmostEqual(intervention.revenue, 81.8, places=2)
        return bank, intervention, invoice

    def test_billed_work_is_never_deleted(self):
        bank, intervention, invoice = self._billed_bank_call()
        charges, moves = intervention.charge_ids, intervention.hour_move_ids
        # whatever its status says
        for state in ("draft", "cancel"):
            _force_state(intervention, state)
            for user in (self.user_manager, self.env.user):
                with self.assertRaisesText(UserError, "is billed on"):
                    intervention.with_user(user).unlink()
        self.assertIn(invoice.name, self._unlink_error(intervention))
        # its billed charges: not even by the charge computation
        with self.assertRaisesText(UserError, "already billed"):
            charges.filtered("sale_line_id").sudo().with_context(
                aftersales_charge_compute=True
            ).unlink()
        # its hour moves: the ledger is only appended to
        with self.assertRaisesText(UserError, "cannot be deleted"):
            moves[:1].sudo().unlink()
        # nor does the database let the moves lose their intervention
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.cr.execute("DELETE FROM aftersales_intervention WHERE id = %s", [intervention.id])
        self.assertEqual(intervention.exists().charge_ids, charges)
        self.assertEqual(bank.hour_move_ids.filtered("intervention_id"), moves)

    def _unlink_error(self, intervention):
        with self.assertRaises(UserError) as caught:
            intervention.unlink()
        return str(caught.exception)

    def test_cancel_gives_hours_back_and_credits_the_invoice(self):
        bank, intervention, invoice = self._billed_bank_call()
        drawn = intervention._hour_bank_consumption()
        self.assertEqual(len(drawn), 2)
        # technicians never cancel a done call
        with self.assertRaises(AccessError):
            intervention.with_user(self.user_technician).action_cancel()
        self.assertEqual(intervention.state, "done")

        intervention.with_user(self.user_manager).action_cancel()

        self.assertEqual(intervention.state, "cancel")
        # the hours: one reversal per draw, the bank full again
        self.assertFalse(intervention._hour_bank_consumption())
        reversals = intervention.hour_move_ids.filtered(lambda m: m.kind == "reversal")
        self.assertEqual(reversals.reversed_move_id, drawn)
        self.assertEqual((bank.hour_bank_used, bank.hour_bank_remaining), (0.0, 2.0))
        # the invoice: a credit note of the same lines, 81.80
        order = intervention.sudo().sale_order_ids
        credit_note = order.invoice_ids - invoice
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id | invoice, invoice)
        self.assertAlmostEqual(credit_note.amount_untaxed, 81.8, places=2)
        self.assertEqual(
            sorted(
                (line.product_id.name, line.quantity, line.price_subtotal)
                for line in credit_note.invoice_line_ids
            ),
            sorted(
                (line.product_id.name, line.quantity, line.price_subtotal)
                for line in invoice.invoice_line_ids
            ),
        )
        credit_note.action_post()
        self.assertEqual(intervention.revenue, 0.0)
        self.assertEqual(set(order.order_line.mapped("qty_invoiced")), {0.0})
        self.assertNotEqual(order.invoice_status, "to invoice")
        self.assertFalse(intervention.sudo()._invoice_due(), "nothing to invoice any more")
        note = intervention.message_ids.filtered(lambda m: "Cancelled after" in (m.body or ""))
        # bank hours: 1.5 normal + 0.25 overtime x 2 = 2 h
        self.assertIn("Hours given back to the hour bank: 2 h", note.body)
        # still not deleted, not reopened: the records keep their intervention
        with self.assertRaisesText(UserError, "is billed on"):
            intervention.with_user(self.user_manager).unlink()
        with self.assertRaisesText(UserError, "stays cancelled"):
            intervention.with_user(self.user_manager).action_draft()

    def test_time_worked_keeps_its_intervention(self):
        intervention = self._intervention()
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 0))
        intervention.action_start()
        intervention.with_user(self.user_manager).action_cancel()
        with self.assertRaisesText(UserError, "timesheets"):
            intervention.with_user(self.user_manager).unlink()
        # an intervention that left no record is deleted as before
        empty = self._intervention()
        empty.with_user(self.user_manager).unlink()
        self.assertFalse(empty.exists())


@tagged("post_install", "-at_install")
class TestInterventionCancelRefused(BillingCase):
    """Cancelling a done intervention is refused, nothing written, where a status cannot
    undo what happened: goods that moved, a draft invoice that bills it."""

    def test_goods_moved(self):
        intervention = self._done(materials=[(self.gasket, 2.0)])
        self._standard_charges(intervention)
        picking = intervention.sudo().picking_ids
        with self.assertRaisesText(UserError, picking.name):
            intervention.with_user(self.user_manager).action_cancel()
        self.assertEqual(intervention.state, "done")
        _force_state(intervention, "draft")
        with self.assertRaisesText(UserError, "goods moved"):
            intervention.with_user(self.user_manager).unlink()
        _force_state(intervention, "done")
        # the goods come back: the call can be cancelled, it was never billed
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 2.0
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.picked = True
        returned.button_validate()
        intervention.with_user(self.user_manager).action_cancel()
        self.assertEqual(intervention.state, "cancel")
        self.assertFalse(intervention.sudo().sale_order_ids)

    def test_draft_invoice(self):
        intervention = self._done()
        self._standard_charges(intervention)
        intervention.with_user(self.user_manager).action_create_sale_order()
        draft = intervention.sudo()._invoice_due()
        self.assertEqual(draft.state, "draft")
        with self.assertRaisesText(UserError, "draft invoice"):
            intervention.with_user(self.user_manager).action_cancel()
        self.assertEqual(intervention.state, "done")
        # the draft deleted, the call is cancelled: nothing was invoiced, nothing will be
        draft.unlink()
        order = intervention.sudo().sale_order_ids
        self.assertEqual(order.invoice_status, "to invoice")
        intervention.with_user(self.user_manager).action_cancel_done()
        self.assertEqual(intervention.state, "cancel")
        self.assertFalse(order.invoice_ids)
        self.assertNotEqual(order.invoice_status, "to invoice")
        self.assertFalse(intervention.sudo()._invoice_due())
