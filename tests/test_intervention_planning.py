from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common.intervention import AftersalesInterventionCase


@tagged("post_install", "-at_install")
class TestInterventionPlanning(AftersalesInterventionCase):
    """Double bookings warn and block unless a manager forces them, with a database
    guarantee; leaves, public holidays and hours off the calendar warn."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = cls.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        cls.van = cls.env["fleet.vehicle"].create(
            {"model_id": model.id, "license_plate": "AB123CD"}
        )

    def _planned(self, start, end, employees=None, **vals):
        intervention = self._create_intervention(
            employees,
            date_planned_start=start,
            date_planned_end=end,
            **vals,
        )
        intervention.action_plan()
        return intervention

    # Wednesday 3 June 2026, 09:00-11:00 CEST
    START, END = datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 9, 0)

    def test_technician_booked_twice_is_blocked(self):
        first = self._planned(self.START, self.END)
        self.assertEqual(len(first.booking_ids), 1)
        second = self._create_intervention(
            date_planned_start=datetime(2026, 6, 3, 8, 0),
            date_planned_end=datetime(2026, 6, 3, 10, 0),
        )
        self.assertIn(first.name, second.planning_warning)
        with self.assertRaises(UserError) as error:
            second.action_plan()
        self.assertIn(first.name, str(error.exception))
        second.invalidate_recordset()  # as the rolled-back request leaves it
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.booking_ids)
        # back to back is fine
        third = self._planned(self.END, datetime(2026, 6, 3, 10, 0))
        self.assertEqual(third.state, "planned")
        # moving a planned visit onto another is blocked too
        with self.assertRaises(UserError):
            third.date_planned_start = datetime(2026, 6, 3, 8, 30)
        # a draft does not book: the second can be planned once the first is cancelled
        first.action_cancel()
        self.assertFalse(first.booking_ids)
        second.write({"date_planned_end": datetime(2026, 6, 3, 9, 0)})
        second.action_plan()
        self.assertEqual(second.state, "planned")

    def test_vehicle_booked_twice_is_blocked(self):
        self._planned(self.START, self.END, vehicle_id=self.van.id)
        other = self._create_intervention(
            self.employee_2,
            vehicle_id=self.van.id,
            date_planned_start=self.START,
            date_planned_end=self.END,
        )
        self.assertIn("AB123CD", other.planning_warning)
        with self.assertRaises(UserError):
            other.action_plan()

    def test_manager_forces_technician_cannot(self):
        self._planned(self.START, self.END)
        second = self._create_intervention(date_planned_start=self.START, date_planned_end=self.END)
        with self.assertRaises(UserError):
            second.with_user(self.user_technician).planning_forced = True
        second.with_user(self.user_manager).write({"planning_forced": True})
        second.with_user(self.user_manager).action_plan()
        self.assertEqual(second.state, "planned")
        self.assertTrue(second.booking_ids.forced)

    def test_database_refuses_double_booking(self):
        """What two concurrent saves would do: each passed its own check, the database
        refuses the second row."""
        first = self._planned(self.START, self.END, vehicle_id=self.van.id)
        second = self._create_intervention(self.employee_2)
        Booking = self.env["aftersales.intervention.booking"]
        for kind, resource in (("employee", self.employee), ("vehicle", self.van)):
            with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
                Booking.create(
                    {
                        "intervention_id": second.id,
                        "resource_kind": kind,
                        "resource_id": resource.id,
                        "date_start": datetime(2026, 6, 3, 8, 0),
                        "date_end": datetime(2026, 6, 3, 8, 30),
                    }
                )
        # an employee and a vehicle with the same id do not collide, nor forced rows
        Booking.create(
            [
                {
                    "intervention_id": second.id,
                    "resource_kind": "vehicle",
                    "resource_id": self.employee.id,
                    "date_start": self.START,
                    "date_end": self.END,
                },
                {
                    "intervention_id": second.id,
                    "resource_kind": "employee",
                    "resource_id": self.employee.id,
                    "date_start": self.START,
                    "date_end": self.END,
                    "forced": True,
                },
            ]
        )
        self.assertEqual(len(first.booking_ids), 2)

    def test_leave_holiday_and_hours_off_calendar_warn(self):
        leave = self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "resource_id": self.employee.resource_id.id,
                "calendar_id": self.calendar_rome.id,
                "date_from": datetime(2026, 6, 4, 6, 0),
                "date_to": datetime(2026, 6, 4, 10, 0),
            }
        )
        with Form(self.env["aftersales.intervention"].with_user(self.user_manager)) as form:
            form.summary = "Visit"
            form.partner_id = self.customer
            form.employee_ids.add(self.employee)
            form.date_planned_start = self.START
            form.date_planned_end = self.END
            self.assertFalse(form.planning_warning)
            form.date_planned_start = datetime(2026, 6, 4, 7, 0)  # on the leave
            form.date_planned_end = datetime(2026, 6, 4, 8, 0)
            self.assertIn(leave.name, form.planning_warning)
            form.date_planned_start = datetime(2026, 6, 2, 7, 0)  # Festa della Repubblica
            form.date_planned_end = datetime(2026, 6, 2, 8, 0)
            self.assertIn("Festa della Repubblica", form.planning_warning)
            form.date_planned_start = datetime(2026, 6, 6, 7, 0)  # a Saturday
            form.date_planned_end = datetime(2026, 6, 6, 8, 0)
            self.assertIn("outside working hours", form.planning_warning)
        # a warning, not a block
        intervention = form.record
        intervention.action_plan()
        self.assertEqual(intervention.state, "planned")

    def test_technician_of_another_team_still_conflicts(self):
        """The check sees the visits a technician cannot read."""
        self._planned(self.START, self.END, self.employee_other, team_id=self.team_other.id)
        mine = self._create_intervention(
            self.employee | self.employee_other,
            date_planned_start=self.START,
            date_planned_end=self.END,
        )
        with self.assertRaises(UserError):
            mine.with_user(self.user_technician).action_plan()
        mine.employee_ids = [Command.unlink(self.employee_other.id)]
        mine.with_user(self.user_technician).action_plan()

    def test_vehicle_conflict_for_users_without_fleet_rights(self):
        """The vehicle's name is in the warning and in the refusal whoever reads them: a
        manager or a technician without Fleet rights gets the clear refusal, not an
        access error on the vehicle."""
        self._planned(self.START, self.END, vehicle_id=self.van.id)
        other = self._create_intervention(
            self.employee_2,
            vehicle_id=self.van.id,
            date_planned_start=self.START,
            date_planned_end=self.END,
        )
        moved = self._planned(datetime(2026, 6, 3, 12, 0), datetime(2026, 6, 3, 13, 0))
        for user in (self.user_manager, self.user_technician):
            self.assertFalse(user.has_group("fleet.fleet_group_user"))
            as_user = other.with_user(user).with_context(tracking_disable=False)
            with self.subTest(user=user.login):
                self.assertIn("AB123CD", as_user.planning_warning)
                with self.assertRaises(UserError) as error:
                    as_user.action_plan()
                self.assertIn("AB123CD", str(error.exception))
                # moving a planned visit onto the booked vehicle
                with self.assertRaises(UserError) as error:
                    moved.with_user(user).with_context(tracking_disable=False).write(
                        {
                            "vehicle_id": self.van.id,
                            "date_planned_start": self.START,
                            "date_planned_end": self.END,
                        }
                    )
                self.assertIn("AB123CD", str(error.exception))
