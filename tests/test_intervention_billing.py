from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common.billing import BillingCase


@tagged("post_install", "-at_install")
class TestInterventionBilling(BillingCase):
    """The customer's share of a done intervention becomes a confirmed sale order: one
    line per charge, the coverage as a discount; services delivered by the intervention,
    materials by its own picking (never a second one)."""

    def test_order_lines_and_deliveries(self):
        intervention = self._done(materials=[(self.gasket, 2.0)])
        charges = self._standard_charges(intervention)
        picking = intervention.sudo().picking_ids
        self.assertEqual(len(picking), 1)
        pickings_before = self.env["stock.picking"].search_count([])
        self.assertEqual(intervention.billing_status, "to_bill")

        intervention.with_user(self.user_manager).action_create_sale_order()

        order = intervention.sudo().sale_order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.aftersales_intervention_id, intervention)
        self.assertEqual(order.aftersales_intervention_ids, intervention)
        self.assertEqual(intervention.billing_status, "billed")
        # the fully covered travel is not billed; every other charge has its line
        travel = charges.filtered(lambda c: c.kind == "travel")
        self.assertFalse(travel.sale_line_id)
        self.assertEqual(len(order.order_line), 3)
        by_product = {line.product_id: line for line in order.order_line}
        callout = by_product[self.callout_product]
        labour = by_product[self.labour_product]
        gasket = by_product[self.gasket]
        # call-out 1 x 50.00 = 50.00; labour 2 x 40.00 less 50% = 40.00;
        # gaskets 2 x 15.00 = 30.00; untaxed total 120.00
        self.assertEqual((labour.price_unit, labour.discount), (40.0, 50.0))
        self.assertAlmostEqual(callout.price_subtotal, 50.0, places=2)
        self.assertAlmostEqual(labour.price_subtotal, 40.0, places=2)
        self.assertAlmostEqual(gasket.price_subtotal, 30.0, places=2)
        self.assertAlmostEqual(order.amount_untaxed, 120.0, places=2)
        self.assertIn("covered by Contract: 50%", labour.name)
        # services: delivered by the intervention
        self.assertEqual(labour.qty_delivered_method, "aftersales")
        self.assertEqual(labour.qty_delivered, 2.0)
        self.assertEqual(callout.qty_delivered, 1.0)
        # materials: delivered by the intervention's own picking, no second one
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before)
        self.assertEqual(gasket.qty_delivered_method, "stock_move")
        self.assertEqual(gasket.move_ids, picking.move_ids)
        self.assertEqual(gasket.qty_delivered, 2.0)
        self.assertEqual(order.invoice_status, "to invoice")

        invoice = order._create_invoices()
        self.assertAlmostEqual(invoice.amount_untaxed, 120.0, places=2)
        invoice.action_post()
        # revenue 120.00; cost: labour 60.00 + travel 8.00 + gaskets 2 x 4.00 = 76.00
        self.assertAlmostEqual(intervention.revenue, 120.0, places=2)
        self.assertAlmostEqual(intervention.cost_total, 76.0, places=2)
        self.assertAlmostEqual(intervention.margin, 44.0, places=2)

    def test_refuse_not_done_and_already_billed(self):
        running = self._intervention()
        orders_before = self.env["sale.order"].search_count([])
        with self.assertRaisesText(UserError, "is not done"):
            running.with_user(self.user_manager).action_create_sale_order()
        intervention = self._done()
        self._standard_charges(intervention)
        # a batch with one bad intervention writes nothing
        with self.assertRaisesText(UserError, "is not done"):
            (intervention | running).with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        self.assertFalse(intervention.charge_ids.sale_line_id)
        intervention.with_user(self.user_manager).action_create_sale_order()
        with self.assertRaisesText(UserError, "already been billed"):
            intervention.with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before + 1)

    def test_fully_covered_makes_no_order(self):
        intervention = self._done(materials=[(self.gasket, 1.0)])
        self._charge(intervention, "callout", self.callout_product, 1.0, 50.0, 100.0, "warranty")
        self._charge(
            intervention, "labour", self.labour_product, 1.5, 40.0, 100.0, "warranty", cost=45.0
        )
        self.assertEqual(intervention.billing_status, "covered")
        orders_before = self.env["sale.order"].search_count([])
        result = intervention.with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        # costs are still recorded: labour 45.00
        self.assertAlmostEqual(intervention.cost_total, 45.0, places=2)
        self.assertAlmostEqual(intervention.margin, -45.0, places=2)

    def test_lines_added_to_the_ticket_open_order(self):
        quotation = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "aftersales_ticket_id": self.ticket.id,
                    "order_line": [
                        (0, 0, {"product_id": self.callout_product.id, "product_uom_qty": 1.0})
                    ],
                }
            )
        )
        quotation.action_confirm()
        intervention = self._done(materials=[(self.gasket, 1.0)])
        self._charge(intervention, "labour", self.labour_product, 1.0, 40.0)
        self._charge(
            intervention,
            "material",
            self.gasket,
            1.0,
            15.0,
            stock_move_id=intervention.sudo().material_move_ids.id,
        )
        orders_before = self.env["sale.order"].search_count([])
        pickings_before = self.env["stock.picking"].search_count([])
        intervention.with_user(self.user_manager).action_create_sale_order()
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before)
        self.assertEqual(intervention.sudo().sale_order_ids, quotation)
        self.assertEqual(len(quotation.order_line), 3)
        gasket = quotation.order_line.filtered(lambda line: line.product_id == self.gasket)
        self.assertEqual(gasket.qty_delivered, 1.0)

    def test_roles(self):
        intervention = self._done()
        self._standard_charges(intervention)
        with self.assertRaises(AccessError):
            intervention.with_user(self.user_technician).action_create_sale_order()
        self.assertEqual(intervention.billing_status, "to_bill")
        # an accountant bills (and sees no sale order screen without the Sales app)
        self.assertTrue(
            intervention.with_user(self.user_accountant).sudo(False).action_create_sale_order()
        )
        self.assertEqual(intervention.billing_status, "billed")
