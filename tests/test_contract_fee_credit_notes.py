from datetime import date

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from .common.base import AftersalesCase, load_migration


@tagged("post_install", "-at_install")
class TestContractFeeCreditNotes(AftersalesCase):
    """A contract's fees are net of their credit notes, whichever invoice billed them (a
    periodic invoice, the order that sold the contract, the invoice that generated it),
    and the contract's stored figures agree with the profitability report."""

    def _order(self):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.fee_product.id,
                            "product_uom_qty": 1.0,
                            "price_unit": 480.0,
                            "discount": 10.0,
                        }
                    )
                ],
            }
        )

    def _periodic_invoice(self):
        """A contract sold on an order, and its first period's posted invoice (432.00)."""
        order = self._order()
        order.action_confirm()
        contract = order.aftersales_contract_ids
        contract.action_create_invoices()
        contract.invoice_ids.action_post()
        return contract, contract.invoice_ids

    def _credit_note(self, invoice, ratio=1.0):
        """Post a credit note of ``invoice`` through the *Credit Note* wizard; ``ratio``
        of each line's quantity is credited."""
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "date": invoice.invoice_date})
        )
        credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        if ratio != 1.0:
            for line in credit_note.invoice_line_ids:
                line.quantity *= ratio
        credit_note.action_post()
        return credit_note

    def _stored_fees(self, contract):
        """The contract's fees and margin as stored, and the fees the report counts."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT fee_revenue, revenue, margin FROM aftersales_contract WHERE id = %s",
            [contract.id],
        )
        stored = self.env.cr.fetchone()
        report = self.env["aftersales.profitability.report"].sudo()
        rows = report._read_group([("contract_id", "=", contract.id)], [], ["revenue_fee:sum"])
        return (*stored, rows[0][0])

    @freeze_time("2026-03-10")
    def test_periodic_invoice_credit_note(self):
        contract, invoice = self._periodic_invoice()
        self.assertEqual(self._stored_fees(contract), (432.0, 432.0, 432.0, 432.0))
        # half of the quarter credited, then the rest
        half = self._credit_note(invoice, ratio=0.5)
        self.assertEqual(half.invoice_line_ids.aftersales_contract_line_id, contract.line_ids)
        self.assertEqual(self._stored_fees(contract), (216.0, 216.0, 216.0, 216.0))
        second = self._credit_note(invoice, ratio=0.5)
        self.assertEqual(self._stored_fees(contract), (0.0, 0.0, 0.0, 0.0))
        # a credit note is not a period's invoice: the period stays billed once
        self.assertEqual(len(contract.invoice_ids), 1)
        # ... but the contract's Invoices button lists the credit notes with it
        contract.invalidate_recordset(["invoice_count"])
        self.assertEqual(contract.invoice_count, 3)
        action = contract.action_view_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoice | half | second)

    @freeze_time("2026-03-10")
    def test_order_invoice_credit_note(self):
        self.template.first_period_billing = "sale_order"
        order = self._order()
        order.action_confirm()
        contract = order.aftersales_contract_ids
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(self._stored_fees(contract)[0::3], (432.0, 432.0))
        self._credit_note(invoice)
        self.assertEqual(self._stored_fees(contract), (0.0, 0.0, 0.0, 0.0))

    def test_generating_invoice_credit_note(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 4, 15),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.fee_product.id, "price_unit": 500.0, "quantity": 1.0}
                    ),
                    Command.create({"product_id": self.grinder.id, "price_unit": 800.0}),
                ],
            }
        )
        invoice.action_post()
        contract = self.env["aftersales.contract"].search([("source_invoice_id", "=", invoice.id)])
        # the machine sold on the same invoice is not a fee
        self.assertEqual(self._stored_fees(contract), (500.0, 500.0, 500.0, 500.0))
        credit_note = self._credit_note(invoice, ratio=0.2)
        self.assertEqual(self._stored_fees(contract), (400.0, 400.0, 400.0, 400.0))
        # reset to draft, the credit note no longer counts
        credit_note.button_draft()
        self.assertEqual(self._stored_fees(contract), (500.0, 500.0, 500.0, 500.0))

    @freeze_time("2026-03-10")
    def test_upgrade_links_older_credit_notes(self):
        """19.0.1.3.0's migration: a credit note posted by the previous release, whose
        lines lost the contract line, is linked line by line and the fees recomputed."""
        contract, invoice = self._periodic_invoice()
        credit_note = self._credit_note(invoice, ratio=0.5)
        # as the previous release left them: no link, the fees of the invoice only
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "UPDATE account_move_line SET aftersales_contract_line_id = NULL WHERE move_id = %s",
            [credit_note.id],
        )
        cr.execute(
            "UPDATE aftersales_contract SET fee_revenue = 432, revenue = 432, margin = 432"
            " WHERE id = %s",
            [contract.id],
        )
        self.env.invalidate_all()
        module = load_migration("migrations/19.0.1.3.0/post-migrate_contract_fees.py")
        module.migrate(cr, "19.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(
            credit_note.invoice_line_ids.aftersales_contract_line_id,
            invoice.invoice_line_ids.aftersales_contract_line_id,
        )
        self.assertEqual(self._stored_fees(contract), (216.0, 216.0, 216.0, 216.0))
        module.migrate(cr, "19.0.1.2.0")  # a second run changes nothing
        self.assertEqual(self._stored_fees(contract), (216.0, 216.0, 216.0, 216.0))
