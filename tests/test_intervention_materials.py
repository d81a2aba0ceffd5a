from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionMaterials(InterventionStockCase):
    """Materials used: one delivery picking from the van, validated at the finish, with
    lots, quantities and valuation as for any delivery; the van's shortages blocked or
    allowed by the company."""

    def test_technician_enters_materials_and_finishes(self):
        intervention = self._intervention().with_user(self.user_technician)
        self.assertEqual(intervention.van_location_id, self.van)
        lot_1, lot_2 = self.element_lots[:2]
        with Form(intervention) as form:
            with form.material_move_ids.new() as line:
                line.product_id = self.gasket
                line.product_uom_qty = 3.0
            for lot in (lot_1, lot_2):
                with form.material_move_ids.new() as line:
                    line.product_id = self.element
                    line.aftersales_lot_id = lot
                    line.product_uom_qty = 1.0
        moves = intervention.material_move_ids
        self.assertEqual(len(moves), 3)
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        self.assertEqual(moves.location_id, self.van)
        intervention.action_done()

        self.assertEqual(intervention.state, "done")
        picking = intervention.sudo().picking_ids
        self.assertEqual(len(picking), 1, "one delivery note for every material used")
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(picking.location_id, self.van)
        self.assertEqual(picking.location_dest_id, self.customer_location)
        self.assertEqual(picking.partner_id, self.customer)
        self.assertEqual(picking.aftersales_intervention_id, intervention)
        self.assertFalse(picking.aftersales_ticket_id, "the ticket's returns are pick-ups only")
        self.assertEqual(picking.move_ids, moves.sudo(), "the worksheet lines are the moves")
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertEqual(picking.move_line_ids.lot_id, lot_1 | lot_2)
        # quantities left the van
        self.assertEqual(self._van_qty(self.gasket), 7.0)
        self.assertEqual(self._van_qty(self.element, lot_1), 0.0)
        self.assertEqual(self._van_qty(self.element, self.element_lots[2]), 1.0)
        # valuation: average cost of the gasket, standard cost of the elements
        gasket_move = moves.sudo().filtered(lambda m: m.product_id == self.gasket)
        self.assertTrue(gasket_move.is_out)
        self.assertAlmostEqual(gasket_move.value, 12.0)
        element_moves = moves.sudo().filtered(lambda m: m.product_id == self.element)
        self.assertAlmostEqual(sum(element_moves.mapped("value")), 240.0)
        # the service report lists them
        lines = intervention._report_material_lines()
        self.assertEqual(
            [(ln["product"], ln["lot"], ln["qty"]) for ln in lines],
            [
                (self.gasket.display_name, "", 3.0),
                (self.element.display_name, "HE-001", 1.0),
                (self.element.display_name, "HE-002", 1.0),
            ],
        )
        self.assertEqual({ln["destination"] for ln in lines}, {self.customer_location.display_name})
        # a done worksheet line is no longer the technician's to change
        with self.assertRaises(UserError):
            moves[0].product_uom_qty = 5.0

    def test_average_cost_follows_receipts(self):
        """A second lot of gaskets enters the van at 6.00 each: the average cost becomes
        5.00 and the intervention's delivery is valued at it."""
        suppliers = self.env.ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": suppliers.id,
                "location_dest_id": self.van.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.gasket.id,
                            "product_uom_qty": 10.0,
                            "location_id": suppliers.id,
                            "location_dest_id": self.van.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.move_ids.quantity = 10.0
        receipt.move_ids.picked = True
        receipt._action_done()
        receipt.move_ids.value_manual = 60.0  # the vendor bill's price, 6.00 each
        self.assertAlmostEqual(self.gasket.standard_price, 5.0)
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 4.0)])
        intervention.action_done()
        self.assertAlmostEqual(intervention.material_move_ids.value, 20.0)
        self.assertEqual(self._van_qty(self.gasket), 16.0)

    def test_quantity_not_in_van_is_blocked(self):
        intervention = self._intervention(
            material_move_ids=[
                self._used(self.gasket, 11.0),
                self._used(self.element, 1.0, self.element_lots[0]),
            ]
        )
        with self.assertRaisesText(UserError, "not in the van"):
            intervention.with_user(self.user_technician).action_done()
        self.assertEqual(intervention.state, "in_progress")
        self.assertFalse(intervention.picking_count)
        self.assertEqual(self._van_qty(self.gasket), 10.0)
        # a serial that is not in the van is short too
        intervention.material_move_ids[0].product_uom_qty = 1.0
        intervention.material_move_ids[1].aftersales_lot_id = self.env["stock.lot"].create(
            {"name": "HE-ELSEWHERE", "product_id": self.element.id}
        )
        with self.assertRaisesText(UserError, "HE-ELSEWHERE"):
            intervention.action_done()

    def test_quantity_not_in_van_allowed_is_said(self):
        self.company.aftersales_van_negative_stock = True
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 12.0)])
        intervention.with_user(self.user_technician).action_done()
        self.assertEqual(intervention.state, "done")
        self.assertIn("12 used, 10", intervention.van_negative_note)
        self.assertIn("negative stock", intervention.message_ids[0].body)
        self.assertEqual(self._van_qty(self.gasket), -2.0)

    def test_bad_material_lines(self):
        intervention = self._intervention()
        with self.assertRaisesText(ValidationError, "must be positive"):
            intervention.material_move_ids = [self._used(self.gasket, -1.0)]
        with self.assertRaisesText(ValidationError, "is a lot of"):
            intervention.material_move_ids = [self._used(self.gasket, 1.0, self.element_lots[0])]
        self.assertFalse(intervention.material_move_ids)
        intervention.material_move_ids = [self._used(self.element, 1.0)]
        with self.assertRaisesText(UserError, "enter the lot or serial"):
            intervention.action_done()
        self.assertEqual(intervention.state, "in_progress")

    def test_no_van_is_refused(self):
        self.employee.aftersales_location_id = False
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 1.0)])
        self.assertFalse(intervention.van_location_id)
        with self.assertRaisesText(UserError, "has no van"):
            intervention.action_done()

    def test_vehicle_van_wins_over_technician(self):
        van_2 = self.env["stock.location"].create(
            {
                "name": "Van 2",
                "usage": "internal",
                "location_id": self.warehouse.view_location_id.id,
            }
        )
        vehicle = self._vehicle(aftersales_location_id=van_2.id)
        intervention = self._intervention(vehicle_id=vehicle.id)
        self.assertEqual(intervention.van_location_id, van_2)

    def test_technician_of_another_company(self):
        employee_b = self.env["hr.employee"].create(
            {"name": "Bruno B", "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            self._intervention(employee_ids=[(6, 0, employee_b.ids)])

    def _vehicle(self, **vals):
        brand = self.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = self.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        return self.env["fleet.vehicle"].create(
            {"model_id": model.id, "license_plate": "FB123XY", **vals}
        )
