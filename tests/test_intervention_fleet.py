from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionFleet(InterventionStockCase):
    """The visit's odometer readings go into the fleet's log once, never below the last
    reading; the kilometres are stored on the intervention."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = cls.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        cls.vehicle = cls.env["fleet.vehicle"].create(
            {"model_id": model.id, "license_plate": "FB123XY"}
        )
        cls.env["fleet.vehicle.odometer"].create(
            {"vehicle_id": cls.vehicle.id, "value": 10000.0, "date": datetime(2026, 1, 1)}
        )

    def test_readings_logged_once_per_visit(self):
        intervention = self._intervention(vehicle_id=self.vehicle.id)
        with Form(intervention.with_user(self.user_technician)) as form:
            form.odometer_start = 10050.0
            form.odometer_end = 10132.0
        self.assertEqual(intervention.odometer_km, 82.0)
        intervention.with_user(self.user_technician).action_done()
        readings = intervention.odometer_ids
        self.assertEqual(sorted(readings.mapped("value")), [10050.0, 10132.0])
        self.assertEqual(set(readings.mapped("aftersales_reading")), {"start", "end"})
        self.assertEqual(readings.vehicle_id, self.vehicle)
        self.assertEqual(self.vehicle.odometer, 10132.0)
        # finishing again (after a manager's correction) updates, never duplicates
        intervention.odometer_end = 10140.0
        intervention._write_odometer_readings()
        self.assertEqual(len(intervention.odometer_ids), 2)
        self.vehicle.invalidate_recordset(["odometer"])
        self.assertEqual(self.vehicle.odometer, 10140.0)
        self.assertEqual(intervention.odometer_km, 90.0)

    def test_reading_below_the_last_is_refused(self):
        intervention = self._intervention(
            vehicle_id=self.vehicle.id, odometer_start=9990.0, odometer_end=10020.0
        )
        with self.assertRaisesText(UserError, "below the last reading"):
            intervention.with_user(self.user_technician).action_done()
        self.assertEqual(intervention.state, "in_progress")
        self.assertFalse(intervention.odometer_ids)

    def test_negative_km(self):
        intervention = self._intervention(vehicle_id=self.vehicle.id)
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            intervention.write({"odometer_start": -5.0})
        with self.assertRaisesText(ValidationError, "below the one at the start"):
            intervention.write({"odometer_start": 10100.0, "odometer_end": 10050.0})
