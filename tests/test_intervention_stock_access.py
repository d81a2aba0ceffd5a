from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionStockAccess(InterventionStockCase):
    """A technician with only After-Sales/User opens the whole form and enters the
    materials; the stock moves they reach are the interventions' and no others."""

    def _finished_intervention(self):
        brand = self.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = self.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        vehicle = self.env["fleet.vehicle"].create({"model_id": model.id, "license_plate": "X1"})
        intervention = self._intervention(
            vehicle_id=vehicle.id,
            odometer_start=100.0,
            odometer_end=140.0,
            material_move_ids=[self._used(self.gasket, 2.0)],
            pickup_move_ids=[self._picked(self.lot)],
        )
        intervention.action_done()
        return intervention

    def test_form_of_a_finished_intervention_as_technician(self):
        intervention = self._finished_intervention().with_user(self.user_technician)
        Intervention = self.env["aftersales.intervention"].with_user(self.user_technician)
        views = Intervention.get_views([(False, "form"), (False, "list")])
        form_fields = views["models"]["aftersales.intervention"]["fields"]
        self.assertIn("material_move_ids", form_fields)
        self.assertNotIn("picking_ids", form_fields, "pickings are for stock users")
        self.assertNotIn("odometer_ids", form_fields, "the fleet log is for fleet users")
        spec = {name: {} for name in form_fields}
        spec["material_move_ids"] = {
            "fields": {
                "product_id": {"fields": {"display_name": {}}},
                "aftersales_lot_id": {"fields": {"display_name": {}}},
                "product_uom_qty": {},
                "location_id": {"fields": {"display_name": {}}},
            }
        }
        spec["pickup_move_ids"] = spec["material_move_ids"]
        spec["van_location_id"] = {"fields": {"display_name": {}}}
        values = intervention.web_read(spec)[0]
        self.assertEqual(values["material_move_ids"][0]["product_uom_qty"], 2.0)
        self.assertEqual(values["van_location_id"]["display_name"], self.van.display_name)
        self.assertEqual(values["picking_count"], 2)
        self.assertEqual(values["odometer_km"], 40.0)
        with Form(intervention) as form:
            self.assertEqual(form.state, "done")

    def test_technician_reaches_only_intervention_moves(self):
        intervention = self._finished_intervention()
        other_move = self.env["stock.move"].create(
            {
                "product_id": self.gasket.id,
                "product_uom_qty": 1.0,
                "location_id": self.van.id,
                "location_dest_id": self.customer_location.id,
            }
        )
        Move = self.env["stock.move"].with_user(self.user_technician)
        self.assertEqual(Move.search([("id", "=", other_move.id)]), Move)
        with self.assertRaises(AccessError):
            other_move.with_user(self.user_technician).product_uom_qty = 3.0
        done_line = intervention.material_move_ids.with_user(self.user_technician)
        self.assertEqual(done_line.product_uom_qty, 2.0)
        with self.assertRaises(AccessError):
            done_line.product_uom_qty = 5.0
        # a storekeeper who is also a technician keeps every move
        storekeeper = new_test_user(
            self.env,
            login="as_storekeeper_technician",
            groups="aftersales.group_aftersales_user,stock.group_stock_user",
        )
        other_move.with_user(storekeeper).product_uom_qty = 3.0
        self.assertEqual(other_move.product_uom_qty, 3.0)

    def test_technician_of_another_team_cannot_add_materials(self):
        intervention = self._intervention()
        outsider = new_test_user(
            self.env, login="as_outsider", groups="aftersales.group_aftersales_user"
        )
        self.team.member_ids = [Command.link(self.user_technician.id)]
        intervention.team_id = self.team
        with self.assertRaises(AccessError):
            intervention.with_user(outsider).material_move_ids = [self._used(self.gasket, 1.0)]
        with self.assertRaises(AccessError):
            intervention.with_user(outsider).action_done()
        with self.assertRaises(AccessError):
            self.env["stock.move"].with_user(outsider).create(
                {
                    "aftersales_intervention_id": intervention.id,
                    "aftersales_line_type": "used",
                    "product_id": self.gasket.id,
                    "product_uom_qty": 1.0,
                }
            )
