from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common.billing import BillingCase


@tagged("post_install", "-at_install")
class TestInterventionEstimate(BillingCase):
    """A call billed on its ticket's accepted quotation: the quotation's lines are the
    estimate, delivered and invoiced by the actual charges; the customer pays what was
    done, once, and sees the estimate next to it. Every figure computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # services invoiced on ordered quantities, Odoo's default: without the estimate
        # rules, the quotation would be invoiced on top of the work
        (cls.callout_product | cls.labour_product | cls.travel_product).invoice_policy = "order"
        cls.descaling_product = cls.env["product.product"].create(
            {
                "name": "Descaling service",
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )

    def _quotation(self, *lines):
        """The ticket's accepted quotation: ``(product, quantity, price)`` lines."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "aftersales_ticket_id": self.ticket.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "price_unit": price}
                    )
                    for product, qty, price in lines
                ],
            }
        )
        order.action_confirm()
        return order

    def _bill_and_invoice(self, intervention):
        """Bill as a manager, invoice as the Invoice Due wizard does, post."""
        intervention.with_user(self.user_manager).action_create_sale_order()
        invoice = intervention.sudo()._invoice_due()
        self.assertEqual(len(invoice), 1)
        invoice.action_post()
        return invoice

    @staticmethod
    def _invoice_lines(invoice):
        """{product name: (quantity, unit price, discount, subtotal)}, sorted."""
        return sorted(
            (
                line.product_id.name,
                line.quantity,
                line.price_unit,
                line.discount,
                line.price_subtotal,
            )
            for line in invoice.invoice_line_ids
        )

    def _line(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)

    def test_estimate_below_the_actuals(self):
        """The issue's call: estimate call-out 40.00 + 1 h labour 52.00 = 92.00; done:
        call-out 40.00, 1.5 h labour 78.00 and travel 18.60 = 136.60. Invoiced 136.60,
        not 92.00 + 136.60 = 228.60."""
        quotation = self._quotation(
            (self.callout_product, 1.0, 40.0), (self.labour_product, 1.0, 52.0)
        )
        intervention = self._done()
        self._charge(intervention, "callout", self.callout_product, 1.0, 40.0)
        self._charge(intervention, "labour", self.labour_product, 1.5, 52.0, labour_kind="normal")
        self._charge(intervention, "travel", self.travel_product, 1.0, 18.6)
        manager_view = intervention.with_user(self.user_manager)
        # before billing, the manager sees the overrun: 136.60 - 92.00 = 44.60
        self.assertEqual(
            (
                manager_view.estimate_amount,
                manager_view.charge_customer_amount,
                manager_view.estimate_difference,
            ),
            (92.0, 136.6, 44.6),
        )
        invoice = self._bill_and_invoice(intervention)

        self.assertEqual(intervention.sudo().sale_order_ids, quotation)
        self.assertAlmostEqual(invoice.amount_untaxed, 136.6, places=2)
        self.assertEqual(
            self._invoice_lines(invoice),
            [
                ("Call-out fee", 1.0, 40.0, 0.0, 40.0),
                ("Labour, normal hours", 1.5, 52.0, 0.0, 78.0),
                ("Travel, flat", 1.0, 18.6, 0.0, 18.6),
            ],
        )
        # the estimate lines keep their ordered quantity, delivered by the work
        labour = self._line(quotation, self.labour_product)
        self.assertEqual(
            (labour.product_uom_qty, labour.qty_delivered, labour.qty_invoiced), (1.0, 1.5, 1.5)
        )
        self.assertTrue(labour.aftersales_is_estimate)
        self.assertEqual(labour.aftersales_estimate_amount, 52.0)
        travel = self._line(quotation, self.travel_product)
        self.assertFalse(travel.aftersales_is_estimate)
        self.assertEqual(len(quotation.order_line), 3, "the travel is the only new line")
        self.assertEqual(
            (
                quotation.aftersales_estimate_amount,
                quotation.aftersales_actual_amount,
                quotation.aftersales_estimate_difference,
            ),
            (92.0, 136.6, 44.6),
        )
        self.assertEqual(quotation.invoice_status, "invoiced")
        self.assertEqual(labour.untaxed_amount_to_invoice, 0.0)
        self.assertFalse(intervention.sudo()._invoice_due(), "nothing left to invoice")
        self.assertEqual(
            (manager_view.estimate_amount, manager_view.estimate_difference), (92.0, 44.6)
        )
        self.assertAlmostEqual(intervention.revenue, 136.6, places=2)

    def test_estimate_above_the_actuals(self):
        """Estimate call-out 40.00 + 3 h labour at 55.00 = 205.00; done: call-out 40.00,
        2 normal hours at the rate card's 52.00 covered 50% by the contract = 52.00, and
        half an overtime hour at 67.60 = 33.80 (not the estimate's kind of hours: a line
        of its own); 125.80 in all."""
        quotation = self._quotation(
            (self.callout_product, 1.0, 40.0), (self.labour_product, 3.0, 55.0)
        )
        intervention = self._done()
        self._charge(intervention, "callout", self.callout_product, 1.0, 40.0)
        self._charge(
            intervention, "labour", self.labour_product, 2.0, 52.0, 50.0, labour_kind="normal"
        )
        self._charge(intervention, "labour", self.labour_product, 0.5, 67.6, labour_kind="overtime")
        invoice = self._bill_and_invoice(intervention)

        self.assertAlmostEqual(invoice.amount_untaxed, 125.8, places=2)
        self.assertEqual(
            self._invoice_lines(invoice),
            [
                ("Call-out fee", 1.0, 40.0, 0.0, 40.0),
                ("Labour, normal hours", 0.5, 67.6, 0.0, 33.8),
                ("Labour, normal hours", 2.0, 52.0, 50.0, 52.0),
            ],
        )
        labour = quotation.order_line.filtered("aftersales_is_estimate").filtered(
            lambda line: line.product_id == self.labour_product
        )
        # the estimate line: 3 h ordered at 55.00 as quoted, 2 h delivered at the
        # charge's 52.00 less 50%
        self.assertEqual(
            (labour.product_uom_qty, labour.qty_delivered, labour.price_unit, labour.discount),
            (3.0, 2.0, 52.0, 50.0),
        )
        self.assertEqual(
            (labour.aftersales_estimate_price_unit, labour.aftersales_estimate_amount),
            (55.0, 165.0),
        )
        self.assertIn(intervention.name, labour.name)
        # 125.80 - 205.00 = -79.20
        manager_view = intervention.with_user(self.user_manager)
        self.assertEqual(
            (
                manager_view.estimate_amount,
                manager_view.charge_customer_amount,
                manager_view.estimate_difference,
            ),
            (205.0, 125.8, -79.2),
        )
        self.assertEqual(
            (quotation.aftersales_actual_amount, quotation.aftersales_estimate_difference),
            (125.8, -79.2),
        )

    def test_estimate_of_a_product_not_used(self):
        """Estimate call-out 40.00 + 1 h labour 52.00 + descaling 30.00 = 122.00; no
        descaling was done: 92.00 invoiced, the descaling line delivered 0, never
        invoiced."""
        quotation = self._quotation(
            (self.callout_product, 1.0, 40.0),
            (self.labour_product, 1.0, 52.0),
            (self.descaling_product, 1.0, 30.0),
        )
        intervention = self._done()
        self._charge(intervention, "callout", self.callout_product, 1.0, 40.0)
        self._charge(intervention, "labour", self.labour_product, 1.0, 52.0, labour_kind="normal")
        invoice = self._bill_and_invoice(intervention)

        self.assertAlmostEqual(invoice.amount_untaxed, 92.0, places=2)
        self.assertEqual(
            self._invoice_lines(invoice),
            [
                ("Call-out fee", 1.0, 40.0, 0.0, 40.0),
                ("Labour, normal hours", 1.0, 52.0, 0.0, 52.0),
            ],
        )
        descaling = self._line(quotation, self.descaling_product)
        self.assertTrue(descaling.aftersales_is_estimate)
        self.assertEqual(
            (descaling.qty_delivered, descaling.qty_to_invoice, descaling.qty_invoiced),
            (0.0, 0.0, 0.0),
        )
        self.assertEqual(descaling.qty_delivered_method, "aftersales")
        self.assertNotEqual(quotation.invoice_status, "to invoice")
        # nothing left to invoice, in amounts too
        self.assertEqual(
            (descaling.untaxed_amount_to_invoice, descaling.amount_to_invoice), (0.0, 0.0)
        )
        self.assertEqual(quotation.amount_to_invoice, 0.0)
        # 92.00 - 122.00 = -30.00
        self.assertEqual(
            (
                quotation.aftersales_estimate_amount,
                quotation.aftersales_actual_amount,
                quotation.aftersales_estimate_difference,
            ),
            (122.0, 92.0, -30.0),
        )
        self.assertEqual(intervention.with_user(self.user_manager).estimate_difference, -30.0)
        # the order's own invoicing finds nothing more either
        with self.assertRaises(UserError):
            quotation._create_invoices()

    def test_estimate_invoiced_before_the_work_is_refused(self):
        """A quotation invoiced before the work: billing on it would make the customer
        pay twice; refused, naming the invoice, nothing written."""
        quotation = self._quotation(
            (self.callout_product, 1.0, 40.0), (self.labour_product, 1.0, 52.0)
        )
        prepaid = quotation._create_invoices()
        intervention = self._done()
        self._charge(intervention, "labour", self.labour_product, 1.0, 52.0, labour_kind="normal")
        with self.assertRaisesText(UserError, "invoiced before the work"):
            intervention.with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(intervention.billing_status, "to_bill")
        self.assertFalse(quotation.order_line.filtered("aftersales_is_estimate"))
        self.assertEqual(len(quotation.order_line), 2)
        # credited, the estimate is free again
        prepaid.button_cancel()
        intervention.with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(intervention.sudo().sale_order_ids, quotation)
        self.assertEqual(len(quotation.order_line), 2)

    def test_technicians_see_no_estimate(self):
        self._quotation((self.callout_product, 1.0, 40.0))
        intervention = self._done()
        self._charge(intervention, "callout", self.callout_product, 1.0, 40.0)
        with self.assertRaises(AccessError):
            intervention.with_user(self.user_technician).read(["estimate_amount"])
        self.assertEqual(intervention.with_user(self.user_accountant).estimate_amount, 40.0)
