from odoo.fields import Command
from odoo.tests import tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionStockQueries(InterventionStockCase):
    """Finishing an intervention with 5 and with 20 material lines: one picking, and
    the queries per extra line no more than stock's own for a delivery of the same
    moves validated directly (the baseline)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parts = cls.env["product.product"].create(
            [
                {
                    "name": f"Spare part {n:02d}",
                    "type": "consu",
                    "is_storable": True,
                    "categ_id": cls.categ_avco.id,
                    "standard_price": 2.0 + n,
                }
                for n in range(20)
            ]
        )
        cls.env["stock.quant"].create(
            [
                {"product_id": p.id, "location_id": cls.van.id, "inventory_quantity": 100.0}
                for p in cls.parts
            ]
        ).action_apply_inventory()

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, result

    def _finish(self, lines):
        intervention = self._intervention(
            material_move_ids=[self._used(p, 1.0) for p in self.parts[:lines]]
        )
        count, _res = self._queries(intervention.with_user(self.user_technician).action_done)
        self.assertEqual(len(intervention.sudo().picking_ids), 1)
        self.assertEqual(intervention.sudo().picking_ids.state, "done")
        return count

    def _baseline(self, lines):
        """The same delivery as stock does it: a picking with the moves and their move
        lines, confirmed and validated."""
        out_type = self.warehouse.out_type_id
        vals = {
            "picking_type_id": out_type.id,
            "partner_id": self.customer.id,
            "location_id": self.van.id,
            "location_dest_id": self.customer_location.id,
            "move_ids": [
                Command.create(
                    {
                        "product_id": p.id,
                        "product_uom_qty": 1.0,
                        "location_id": self.van.id,
                        "location_dest_id": self.customer_location.id,
                    }
                )
                for p in self.parts[:lines]
            ],
        }

        def deliver():
            picking = self.env["stock.picking"].create(vals)
            self.env["stock.move.line"].create(
                [
                    {
                        "move_id": move.id,
                        "picking_id": picking.id,
                        "product_id": move.product_id.id,
                        "product_uom_id": move.product_uom.id,
                        "quantity": 1.0,
                        "location_id": self.van.id,
                        "location_dest_id": self.customer_location.id,
                    }
                    for move in picking.move_ids
                ]
            )
            picking.move_ids._action_confirm(merge=False)
            picking.move_ids.picked = True
            picking._action_done()
            return picking

        count, picking = self._queries(deliver)
        self.assertEqual(picking.state, "done")
        return count

    def test_twenty_lines_one_picking_flat_queries(self):
        # warm-up: the first delivery of a transaction fills caches of both paths
        self._baseline(1)
        ours_5, ours_20 = self._finish(5), self._finish(20)
        base_5, base_20 = self._baseline(5), self._baseline(20)
        per_line_ours = (ours_20 - ours_5) / 15
        per_line_base = (base_20 - base_5) / 15
        self.assertLessEqual(
            per_line_ours,
            per_line_base + 1,
            f"queries: ours {ours_5} -> {ours_20}, stock's own {base_5} -> {base_20}",
        )
        # and the intervention's own overhead stays a constant
        self.assertLessEqual(ours_20 - base_20, ours_5 - base_5 + 15)
