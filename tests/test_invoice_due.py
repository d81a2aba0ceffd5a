from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common.billing import BillingCase


@tagged("post_install", "-at_install")
class TestInvoiceDue(BillingCase):
    """Invoice due interventions: the wizard and the cron bill the done interventions,
    then invoice their orders through the sale order's invoicing; one invoice per
    customer and month lists the delivery notes (DDT) of the goods it bills."""

    def _june_and_july(self):
        """Two June interventions with gaskets (one picking and DDT each), one in July."""
        june_1 = self._done(materials=[(self.gasket, 2.0)], date_end=self._day(3))
        june_2 = self._done(materials=[(self.gasket, 1.0)], date_end=self._day(17))
        july = self._done(date_end=self._day(8, month=7))
        for intervention in june_1 | june_2 | july:
            self._standard_charges(intervention)
        return june_1, june_2, july

    def _wizard(self, user=None, **vals):
        Wizard = self.env["aftersales.invoice.due.wizard"]
        if user:
            Wizard = Wizard.with_user(user)
        form = Form(Wizard)
        for name, value in vals.items():
            setattr(form, name, value)
        return form.save()

    def _invoices(self, interventions):
        return interventions.sudo().sale_order_ids.invoice_ids

    def test_monthly_invoice_lists_ddt_numbers(self):
        june_1, june_2, july = self._june_and_july()
        ddt_1 = june_1.sudo().picking_ids.aftersales_ddt_number
        ddt_2 = june_2.sudo().picking_ids.aftersales_ddt_number
        self.assertTrue(ddt_1 and ddt_2 and ddt_1 != ddt_2)
        wizard = self._wizard(
            user=self.user_accountant, date_from=date(2026, 6, 1), date_to=date(2026, 7, 31)
        )
        action = wizard.action_invoice()
        invoices = self.env["account.move"].browse(action["domain"][0][2])
        self.assertEqual(len(invoices), 2, "one invoice for June, one for July")
        june = self._invoices(june_1)
        self.assertEqual(june, self._invoices(june_2))
        self.assertEqual(len(june), 1)
        self.assertEqual(june.partner_id, self.customer)
        # June: two interventions of 50.00 + 40.00 + gaskets (2 x 15.00, 1 x 15.00)
        #     = 120.00 + 105.00 = 225.00; July: 50.00 + 40.00 = 90.00
        self.assertAlmostEqual(june.amount_untaxed, 225.0, places=2)
        self.assertAlmostEqual(self._invoices(july).amount_untaxed, 90.0, places=2)
        self.assertEqual(
            june.aftersales_ddt_picking_ids,
            (june_1 | june_2).sudo().picking_ids,
        )
        self.assertFalse(self._invoices(july).aftersales_ddt_picking_ids)
        html = str(
            self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", june.ids)[0]
        )
        self.assertIn(ddt_1, html)
        self.assertIn(ddt_2, html)
        # nothing is left to invoice
        with self.assertRaisesText(UserError, "anything left to invoice"):
            self._wizard(user=self.user_accountant).action_invoice()

    def test_one_invoice_per_order_and_filters(self):
        june_1, june_2, july = self._june_and_july()
        other = self._done(partner_id=self.customer_other.id, ticket_id=False, lot_id=False)
        self._standard_charges(other)
        wizard = self._wizard(
            user=self.user_manager, group_by_month=False, date_to=date(2026, 6, 30)
        )
        wizard.partner_ids = self.customer
        wizard.action_invoice()
        self.assertEqual(len(self._invoices(june_1 | june_2)), 2)
        self.assertFalse(self._invoices(july))
        self.assertEqual(july.billing_status, "to_bill", "outside the period")
        self.assertEqual(other.billing_status, "to_bill", "another customer")

    def test_fully_covered_no_invoice(self):
        covered = self._done(date_end=self._day(5))
        self._charge(covered, "labour", self.labour_product, 2.0, 40.0, 100.0, cost=60.0)
        with self.assertRaisesText(UserError, "anything left to invoice"):
            self._wizard(user=self.user_manager).action_invoice()
        self.assertEqual(covered.billing_status, "covered")
        self.assertFalse(covered.sudo().sale_order_ids)
        self.assertAlmostEqual(covered.cost_total, 60.0, places=2)

    def test_technician_cannot_invoice(self):
        self._june_and_july()
        with self.assertRaises(AccessError):
            self._wizard(user=self.user_technician)

    def test_mixed_currencies_refused(self):
        june_1, june_2, __ = self._june_and_july()
        june_1.sudo()._create_sale_orders()
        chf = self.env.ref("base.CHF")
        self.assertNotEqual(chf, self.company.currency_id)
        chf.active = True
        # the customer's price list changed to Swiss francs before June's second order
        self.customer.property_product_pricelist = self.env["product.pricelist"].create(
            {"name": "CHF list", "currency_id": chf.id}
        )
        june_2.sudo()._create_sale_orders()
        self.assertEqual(june_2.sudo().sale_order_ids.currency_id, chf)
        invoices_before = self.env["account.move"].search_count([])
        with self.assertRaisesText(UserError, "mix currencies"):
            self._wizard(user=self.user_manager, date_to=date(2026, 6, 30)).action_invoice()
        self.assertEqual(self.env["account.move"].search_count([]), invoices_before)

    def test_mixed_companies_refused(self):
        june = self._done(date_end=self._day(3))
        self._standard_charges(june)
        intervention_b = (
            self.env["aftersales.intervention"]
            .with_company(self.company_b)
            .create(
                {
                    "summary": "Descale",
                    "partner_id": self.customer.id,
                    "company_id": self.company_b.id,
                }
            )
        )
        intervention_b.write({"state": "done", "date_end": self._day(9)})
        product_b = self.env["product.product"].create(
            {"name": "Labour B", "type": "service", "taxes_id": [Command.clear()]}
        )
        self._charge(intervention_b, "labour", product_b, 1.0, 40.0)
        both = self.env["aftersales.invoice.due.wizard"].with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        with self.assertRaisesText(UserError, "mix companies"):
            both.create({"date_to": date(2026, 6, 30)}).action_invoice()
        self.assertFalse(self._invoices(june | intervention_b))

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    def test_cron_is_idempotent(self):
        june_1, june_2, july = self._june_and_july()
        # a run crashed after billing June's first intervention, before invoicing it
        june_1.sudo()._create_sale_orders()
        cron = "aftersales.ir_cron_aftersales_intervention_invoice"
        self._run_cron(cron)
        invoices = self._invoices(june_1 | june_2 | july)
        # one invoice per customer and month: June and July are both past months
        self.assertEqual(len(invoices), 2)
        self.assertEqual(len(self._invoices(june_1 | june_2)), 1)
        self.assertAlmostEqual(sum(invoices.mapped("amount_untaxed")), 315.0, places=2)
        self._run_cron(cron)
        self.assertEqual(self._invoices(june_1 | june_2 | july), invoices)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("id", "not in", invoices.ids), ("move_type", "=", "out_invoice")]
            ),
            0,
        )

    # ------------------------------------------------------------------
    # Contract margins
    # ------------------------------------------------------------------
    def test_contract_margin(self):
        contract = self._create_contract(lines=[self._fee_line(), self._covered_line(self.lot)])
        contract.action_create_invoices()
        contract.sudo().invoice_ids.action_post()
        intervention = self._done(materials=[(self.gasket, 2.0)], date_end=self._day(3))
        intervention.sudo().contract_id = contract
        self._standard_charges(intervention)
        self._wizard(user=self.user_accountant).action_invoice()
        self._invoices(intervention).action_post()
        # fees: the four quarters of 2026 due by now, 4 x 300.00 = 1200.00
        # intervention: 50.00 + 40.00 + 30.00 = 120.00; revenue 1320.00
        # cost: labour 60.00 + travel 8.00 + gaskets 2 x 4.00 = 76.00
        # margin 1320.00 - 76.00 = 1244.00, that is 94.24% of the revenue
        contract.invalidate_recordset()
        self.assertAlmostEqual(contract.fee_revenue, 1200.0, places=2)
        self.assertAlmostEqual(contract.intervention_revenue, 120.0, places=2)
        self.assertAlmostEqual(contract.revenue, 1320.0, places=2)
        self.assertAlmostEqual(contract.cost, 76.0, places=2)
        self.assertAlmostEqual(contract.margin, 1244.0, places=2)
        self.assertAlmostEqual(contract.margin_percent, 94.24, places=2)
        # technicians never read margins
        with self.assertRaises(AccessError):
            contract.with_user(self.user_technician).read(["margin"])

    def _stored_revenue(self, intervention, contract):
        """The revenue and margins as stored in the database."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT revenue, margin FROM aftersales_intervention WHERE id = %s", [intervention.id]
        )
        figures = self.env.cr.fetchone()
        self.env.cr.execute(
            "SELECT intervention_revenue, margin FROM aftersales_contract WHERE id = %s",
            [contract.id],
        )
        return figures + self.env.cr.fetchone()

    def test_revenue_follows_posting_credit_note_and_reset(self):
        """The stored revenue follows the invoices' postings, credit notes, resets to
        draft and cancellations, not the draft invoice lines."""
        contract = self._create_contract(lines=[self._fee_line(), self._covered_line(self.lot)])
        intervention = self._done(date_end=self._day(3))
        intervention.sudo().contract_id = contract
        self._standard_charges(intervention)
        self._wizard(user=self.user_accountant).action_invoice()
        invoice = self._invoices(intervention)
        # call-out 50.00 + labour 2 x 40.00 at 50% = 40.00 (travel fully covered: no
        # line) -> revenue 90.00 once posted; cost labour 60.00 + travel 8.00 = 68.00
        # -> margin 22.00 posted, -68.00 unposted. No fee invoiced: the contract's
        # revenue is the intervention's, its margin the same.
        self.assertEqual(self._stored_revenue(intervention, contract), (0.0, -68.0, 0.0, -68.0))
        invoice.action_post()
        self.assertEqual(self._stored_revenue(intervention, contract), (90.0, 22.0, 90.0, 22.0))
        # a full credit note: 90.00 - 90.00 = 0.00
        credit_note = invoice._reverse_moves()
        self.assertEqual(self._stored_revenue(intervention, contract), (90.0, 22.0, 90.0, 22.0))
        credit_note.action_post()
        self.assertEqual(self._stored_revenue(intervention, contract), (0.0, -68.0, 0.0, -68.0))
        # the credit note back to draft: the invoice counts again
        credit_note.button_draft()
        self.assertEqual(self._stored_revenue(intervention, contract), (90.0, 22.0, 90.0, 22.0))
        # the invoice back to draft, then cancelled: nothing is invoiced
        invoice.button_draft()
        self.assertEqual(self._stored_revenue(intervention, contract), (0.0, -68.0, 0.0, -68.0))
        invoice.button_cancel()
        self.assertEqual(self._stored_revenue(intervention, contract), (0.0, -68.0, 0.0, -68.0))
        self.assertEqual(intervention.revenue, 0.0)
