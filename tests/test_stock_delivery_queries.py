from contextlib import contextmanager

from odoo.fields import Command
from odoo.tests import tagged

from .common.intervention_stock import InterventionStockCase

# A plain delivery of 2 storable products (create, confirm, validate, tracking off as in
# these tests) costs 79 queries in a database with the add-on's dependencies and without
# the add-on: the same flow measured there (docs/benchmarks.md). The add-on adds its
# delivery note number only: the sequence, its date range and the user's time zone.
PLAIN_DELIVERY_QUERIES = 79
DDT_NUMBER_QUERIES = 2


@tagged("post_install", "-at_install")
class TestStockDeliveryQueries(InterventionStockCase):
    """A delivery that is not the add-on's costs what it costs without the add-on, but
    for its delivery note number; the cost of an intervention's material still follows
    the valuation of its own move."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_products = cls.env["product.product"].create(
            [
                {
                    "name": f"Plain product {n}",
                    "type": "consu",
                    "is_storable": True,
                    "standard_price": 3.0,
                }
                for n in range(2)
            ]
        )
        cls.env["stock.quant"].create(
            [
                {
                    "product_id": product.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "inventory_quantity": 1000.0,
                }
                for product in cls.plain_products
            ]
        ).action_apply_inventory()

    def _deliver(self):
        """Stock's own delivery of the 2 products to a customer: create, confirm,
        validate."""
        stock = self.warehouse.lot_stock_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer.id,
                "location_id": stock.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1.0,
                            "location_id": stock.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                    for product in self.plain_products
                ],
            }
        )
        picking.action_confirm()
        picking.button_validate()
        return picking

    @contextmanager
    def _queries(self):
        """The SQL the block runs, flushed before and after."""
        queries = []
        with contextmanager(self._patchExecute)(queries):
            yield queries

    def test_plain_delivery_costs_stock_own_queries(self):
        # the first delivery of the transaction fills the caches (as it does without
        # the add-on)
        self._deliver()
        self.env.invalidate_all()
        with self.assertQueryCount(PLAIN_DELIVERY_QUERIES + DDT_NUMBER_QUERIES):
            picking = self._deliver()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.aftersales_ddt_number)

    def test_plain_delivery_looks_up_no_charge(self):
        self._deliver()
        with self._queries() as queries:
            picking = self._deliver()
        self.assertEqual(picking.move_ids.mapped("state"), ["done", "done"])
        looked_up = [query for query in queries if "aftersales_intervention" in query]
        self.assertFalse(looked_up, "a delivery without intervention reads no charge")

    def test_material_cost_follows_the_move_valuation(self):
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 2.0)])
        intervention.action_done()
        move = intervention.sudo().material_move_ids
        charge = intervention.charge_ids.filtered(lambda c: c.kind == "material")
        self.assertEqual(charge.stock_move_id, move)
        self.assertAlmostEqual(charge.cost, 8.0)
        # the delivery revalued by a stock manager: the charge and the intervention follow
        move.value = 11.0
        self.assertAlmostEqual(charge.cost, 11.0)
        self.assertAlmostEqual(intervention.cost_materials, 11.0)
