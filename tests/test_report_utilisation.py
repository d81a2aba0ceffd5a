from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from .common.intervention import AftersalesInterventionCase

MEASURES = [
    "available_hours:sum",
    "planned_hours:sum",
    "worked_hours:sum",
    "overtime_hours:sum",
    "holiday_hours:sum",
    "travel_hours:sum",
    "utilisation:avg",
]
WEEK_1, WEEK_2 = date(2026, 6, 1), date(2026, 6, 8)


@tagged("post_install", "-at_install")
class TestReportUtilisation(AftersalesInterventionCase):
    """Utilisation of Tina and Teo in the weeks of 1 and 8 June 2026, by hand.

    Both work 8-12 and 13-17 Europe/Rome (CEST, UTC+2), Monday to Friday: 40 h a week.

    Week of 1 June: Tuesday 2 June is the Festa della Repubblica: 40 - 8 = 32 h; Teo
    is also on leave on Thursday 4 June 13-17 (Rome): 32 - 4 = 28 h.
    * Tina: planned Wed 3 June 9-11 Rome (2 h) and Fri 5 June 14-18 Rome with Teo
      (4 h): 6 h. Worked Wed 9:30-12:30 Rome: 2.5 h inside the calendar + 0.5 h
      overtime (12-12:30) = 3 h, travelled Wed 8:30-9:30 Rome: 1 h; worked Fri 14-16
      Rome: 2 h; worked the holiday Tue 10-12 Rome: 2 holiday hours. Worked 3 + 2 + 2
      = 7 h, overtime 0.5, holiday 2, travel 1. Utilisation 7 / 32 = 21.875%.
    * Teo: planned Fri 4 h; worked Fri 14-18 Rome: 3 h normal + 1 h overtime (17-18) =
      4 h. Utilisation 4 / 28 = 14.2857%.
    Week of 8 June: 40 h each; Teo planned Mon 8 June 9:00-10:30 Rome: 1.5 h.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Teo: dentist",
                "calendar_id": cls.calendar_rome.id,
                "resource_id": cls.employee_2.resource_id.id,
                "date_from": datetime(2026, 6, 4, 11, 0),
                "date_to": datetime(2026, 6, 4, 15, 0),
            }
        )
        both = cls.employee | cls.employee_2
        wednesday = cls._planned(cls.employee, datetime(2026, 6, 3, 7, 0), 2.0)
        friday = cls._planned(both, datetime(2026, 6, 5, 12, 0), 4.0)
        cls._planned(cls.employee_2, datetime(2026, 6, 8, 7, 0), 1.5)
        holiday = cls._create_intervention(cls.employee, summary="Emergency on the holiday")
        cls._time(
            wednesday, cls.employee, datetime(2026, 6, 3, 7, 30), datetime(2026, 6, 3, 10, 30)
        )
        cls._time(
            wednesday,
            cls.employee,
            datetime(2026, 6, 3, 6, 30),
            datetime(2026, 6, 3, 7, 30),
            time_type="travel",
        )
        cls._time(friday, cls.employee, datetime(2026, 6, 5, 12, 0), datetime(2026, 6, 5, 14, 0))
        cls._time(friday, cls.employee_2, datetime(2026, 6, 5, 12, 0), datetime(2026, 6, 5, 16, 0))
        cls._time(holiday, cls.employee, datetime(2026, 6, 2, 8, 0), datetime(2026, 6, 2, 10, 0))
        cls.env["aftersales.technician.capacity"]._refresh(WEEK_1, WEEK_2, both)
        cls.env.flush_all()

    @classmethod
    def _planned(cls, employees, start, hours):
        return cls._create_intervention(
            employees,
            date_planned_start=start,
            date_planned_end=start + timedelta(hours=hours),
        )

    @classmethod
    def _time(cls, intervention, employee, start, end, **vals):
        return cls.env["aftersales.intervention.time"].create(
            {
                "intervention_id": intervention.id,
                "employee_id": employee.id,
                "date_start": start,
                "date_end": end,
                **vals,
            }
        )

    def _groups(self, groupby, user=None):
        Report = self.env["aftersales.utilisation.report"]
        if user:
            Report = Report.with_user(user)
        rows = Report._read_group(
            [("employee_id", "in", (self.employee | self.employee_2).ids)], [groupby], MEASURES
        )
        return {row[0]: [round(value or 0.0, 4) for value in row[1:]] for row in rows}

    def test_capacity_from_the_calendar_less_holidays_and_leaves(self):
        rows = self.env["aftersales.technician.capacity"].search(
            [("employee_id", "in", (self.employee | self.employee_2).ids)]
        )
        self.assertEqual(
            sorted((r.employee_id.name, str(r.week_start), r.available_hours) for r in rows),
            [
                ("Teo Technician", "2026-06-01", 28.0),
                ("Teo Technician", "2026-06-08", 40.0),
                ("Tina Technician", "2026-06-01", 32.0),
                ("Tina Technician", "2026-06-08", 40.0),
            ],
        )
        # a second refresh rewrites the weeks, it does not add rows
        self.env["aftersales.technician.capacity"]._refresh(WEEK_1, WEEK_2, self.employee)
        self.assertEqual(
            self.env["aftersales.technician.capacity"].search_count(
                [("employee_id", "=", self.employee.id)]
            ),
            2,
        )

    def test_every_measure_grouped_by_technician(self):
        # Tina: available 32 + 40 = 72, planned 6, worked 7, overtime 0.5, holiday 2,
        # travel 1: 7 / 72 = 9.7222%. Teo: 28 + 40 = 68, planned 4 + 1.5 = 5.5, worked 4,
        # overtime 1: 4 / 68 = 5.8824%.
        self.assertEqual(
            self._groups("employee_id"),
            {
                self.employee: [72.0, 6.0, 7.0, 0.5, 2.0, 1.0, 9.7222],
                self.employee_2: [68.0, 5.5, 4.0, 1.0, 0.0, 0.0, 5.8824],
            },
        )

    def test_every_measure_grouped_by_week(self):
        # Week 1: 32 + 28 = 60 available, 6 + 4 = 10 planned, 7 + 4 = 11 worked (18.3333%)
        # Week 2: 80 available, 1.5 planned, nothing worked.
        self.assertEqual(
            self._groups("week_start:day"),
            {
                WEEK_1: [60.0, 10.0, 11.0, 1.5, 2.0, 1.0, 18.3333],
                WEEK_2: [80.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0],
            },
        )

    def test_worked_matches_the_timesheets(self):
        lines = self.env["account.analytic.line"].search(
            [("employee_id", "=", self.employee.id), ("aftersales_time_type", "=", "work")]
        )
        [(worked,)] = self.env["aftersales.utilisation.report"]._read_group(
            [("employee_id", "=", self.employee.id)], [], ["worked_hours:sum"]
        )
        self.assertAlmostEqual(worked, sum(lines.mapped("unit_amount")))

    def test_technicians_see_their_teams_only(self):
        Report = self.env["aftersales.utilisation.report"]
        domain = [("employee_id", "in", (self.employee | self.employee_2).ids)]
        self.assertEqual(len(Report.with_user(self.user_technician).search(domain)), 4)
        self.assertFalse(Report.with_user(self.user_technician_other).search(domain))
        self.assertEqual(len(Report.with_user(self.user_manager).search(domain)), 4)
        self.assertEqual(len(Report.with_user(self.user_accountant).search(domain)), 4)

    def test_technicians_of_teams_and_interventions_get_a_capacity(self):
        technicians = self.env["aftersales.technician.capacity"]._technicians()
        self.assertLessEqual(
            self.employee | self.employee_2 | self.employee_other | self.employee_manager,
            technicians,
        )
        self.assertNotIn(self.employee_b, technicians)
        outsider = self.env["hr.employee"].create({"name": "Occasional helper"})
        self._create_intervention(outsider).write({"employee_ids": [Command.link(outsider.id)]})
        self.assertIn(outsider, self.env["aftersales.technician.capacity"]._technicians())

    @freeze_time("2026-06-15")
    def test_leaves_and_hours_count_at_once(self):
        """A leave, a public holiday or new working hours change the stored weeks when
        they are entered, not at the next nightly refresh."""
        Capacity = self.env["aftersales.technician.capacity"]

        def week_2():
            rows = Capacity.search(
                [
                    ("employee_id", "in", (self.employee | self.employee_2).ids),
                    ("week_start", "=", WEEK_2),
                ]
            )
            return {row.employee_id: row.available_hours for row in rows}

        tina, teo = self.employee, self.employee_2
        self.assertEqual(week_2(), {tina: 40.0, teo: 40.0})
        # Tina trains on Wednesday 10 June, 8-17 Rome: 8 working hours
        leave = self.env["resource.calendar.leaves"].create(
            {
                "name": "Tina: training",
                "calendar_id": self.calendar_rome.id,
                "resource_id": tina.resource_id.id,
                "date_from": datetime(2026, 6, 10, 6, 0),
                "date_to": datetime(2026, 6, 10, 15, 0),
            }
        )
        self.assertEqual(week_2(), {tina: 32.0, teo: 40.0})
        leave.date_to = datetime(2026, 6, 11, 15, 0)
        self.assertEqual(week_2(), {tina: 24.0, teo: 40.0})
        leave.unlink()
        self.assertEqual(week_2(), {tina: 40.0, teo: 40.0})
        # a holiday on the calendar, Monday 8 June: both lose 8 hours
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Patron saint",
                "calendar_id": self.calendar_rome.id,
                "date_from": datetime(2026, 6, 8, 6, 0),
                "date_to": datetime(2026, 6, 8, 15, 0),
            }
        )
        self.assertEqual(week_2(), {tina: 32.0, teo: 32.0})
        # no more Friday afternoons on the calendar: 4 hours less each, every week
        friday_afternoon = self.calendar_rome.attendance_ids.filtered(
            lambda a: a.dayofweek == "4" and a.hour_from >= 12
        )
        self.assertTrue(friday_afternoon)
        self.calendar_rome.write(
            {"attendance_ids": [Command.unlink(a.id) for a in friday_afternoon]}
        )
        self.assertEqual(week_2(), {tina: 28.0, teo: 28.0})
        # Teo moves to a four-day week (no Fridays): his weeks follow at once
        four_days = self._create_calendar("Four days (Rome)", "Europe/Rome", days=4)
        teo.resource_calendar_id = four_days
        # 4 days x 8 h = 32 h: the patron saint's Monday was a holiday of the old calendar
        self.assertEqual(week_2(), {tina: 28.0, teo: 32.0})
