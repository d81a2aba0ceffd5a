from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common.intervention import AftersalesInterventionCase

MINUTE = 1 / 60


@tagged("post_install", "-at_install")
class TestInterventionWorksheet(AftersalesInterventionCase):
    """Worksheet time: timesheet lines split by day and kind on the technician's
    calendar in Europe/Rome, around a weekend, the 2 June holiday and the DST changes."""

    def _entry(self, intervention, start, end, employee=None, time_type="work", user=None):
        return (
            self.env["aftersales.intervention.time"]
            .with_user(user or self.env.user)
            .create(
                {
                    "intervention_id": intervention.id,
                    "employee_id": (employee or self.employee).id,
                    "time_type": time_type,
                    "date_start": start,
                    "date_end": end,
                }
            )
        )

    def _lines(self, records):
        """{(date, time type, kind): hours} of the timesheet lines, to the minute."""
        result = {}
        for line in records.sudo().timesheet_ids:
            key = (line.date, line.aftersales_time_type, line.aftersales_hour_kind)
            result[key] = round(result.get(key, 0) + line.unit_amount * 60)
        return result

    def test_split_around_weekend_and_public_holiday(self):
        intervention = self._create_intervention()
        # Friday 29 May 15:30-19:15 CEST: 1h30 normal, 2h15 overtime
        friday = self._entry(
            intervention, datetime(2026, 5, 29, 13, 30), datetime(2026, 5, 29, 17, 15)
        )
        # Saturday 22:00 to Sunday 01:30 CEST, travelling: 2h overtime, 1h30 holiday
        weekend = self._entry(
            intervention,
            datetime(2026, 5, 30, 20, 0),
            datetime(2026, 5, 30, 23, 30),
            time_type="travel",
        )
        # Monday 1 June 16:00 to Tuesday 2 June (Festa della Repubblica) 09:10
        holiday = self._entry(
            intervention, datetime(2026, 6, 1, 14, 0), datetime(2026, 6, 2, 7, 10)
        )
        # Wednesday 11:47-13:13 through the lunch break: 26 min normal, 1h overtime
        lunch = self._entry(intervention, datetime(2026, 6, 3, 9, 47), datetime(2026, 6, 3, 11, 13))
        self.assertEqual(
            self._lines(intervention.time_ids),
            {
                (date(2026, 5, 29), "work", "normal"): 90,
                (date(2026, 5, 29), "work", "overtime"): 135,
                (date(2026, 5, 30), "travel", "overtime"): 120,
                (date(2026, 5, 31), "travel", "holiday"): 90,
                (date(2026, 6, 1), "work", "normal"): 60,
                (date(2026, 6, 1), "work", "overtime"): 420,
                (date(2026, 6, 2), "work", "holiday"): 550,
                (date(2026, 6, 3), "work", "normal"): 26,
                (date(2026, 6, 3), "work", "overtime"): 60,
            },
        )
        self.assertAlmostEqual(friday.hours, 3.75)
        self.assertAlmostEqual(weekend.overtime_hours, 2.0)
        self.assertAlmostEqual(weekend.holiday_hours, 1.5)
        self.assertAlmostEqual(holiday.holiday_hours, 9 + 10 * MINUTE)
        self.assertAlmostEqual(lunch.normal_hours, 26 * MINUTE)
        self.assertAlmostEqual(intervention.travel_hours, 3.5)
        self.assertAlmostEqual(intervention.work_hours, 3.75 + 17 + 10 * MINUTE + 86 * MINUTE)
        self.assertAlmostEqual(
            intervention.normal_hours + intervention.overtime_hours + intervention.holiday_hours,
            intervention.actual_hours,
        )

    def test_split_across_dst(self):
        intervention = self._create_intervention()
        # Saturday 24 October 22:00 CEST to Sunday 25 October 04:00 CET: 7 real hours,
        # 2 on Saturday (overtime) and 5 on the 25-hour Sunday (holiday)
        autumn = self._entry(
            intervention, datetime(2026, 10, 24, 20, 0), datetime(2026, 10, 25, 3, 0)
        )
        # Monday 26 October 07:30-12:30 CET: the calendar's 8:00 is now 07:00 UTC
        monday = self._entry(
            intervention, datetime(2026, 10, 26, 6, 30), datetime(2026, 10, 26, 11, 30)
        )
        # Saturday 28 March 23:00 CET to Sunday 29 March 04:00 CEST: 4 real hours
        spring = self._entry(
            intervention, datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 2, 0)
        )
        self.assertEqual(
            self._lines(autumn | monday | spring),
            {
                (date(2026, 10, 24), "work", "overtime"): 120,
                (date(2026, 10, 25), "work", "holiday"): 300,
                (date(2026, 10, 26), "work", "normal"): 240,
                (date(2026, 10, 26), "work", "overtime"): 60,
                (date(2026, 3, 28), "work", "overtime"): 60,
                (date(2026, 3, 29), "work", "holiday"): 180,
            },
        )
        self.assertAlmostEqual(autumn.hours, 7.0)
        self.assertAlmostEqual(spring.hours, 4.0)

    def test_timesheet_lines_team_project_cost_and_distribution(self):
        plan = self.env["account.analytic.plan"].create({"name": "Service contracts"})
        account_a, account_b = self.env["account.analytic.account"].create(
            [{"name": "Contract A", "plan_id": plan.id}, {"name": "Contract B", "plan_id": plan.id}]
        )
        contract = self._create_contract(
            analytic_distribution={str(account_a.id): 75, str(account_b.id): 25}
        )
        intervention = self._create_intervention(contract_id=contract.id)
        self.assertFalse(self.team.project_id)
        # entered by the technician, who may read neither projects nor analytic accounts
        entry = self._entry(
            intervention,
            datetime(2026, 6, 3, 7, 0),
            datetime(2026, 6, 3, 9, 0),
            user=self.user_technician,
        ).with_env(self.env)
        project = self.team.project_id
        self.assertTrue(project.allow_timesheets)
        lines = entry.sudo().timesheet_ids
        self.assertEqual(lines.project_id, project)
        self.assertEqual(lines.employee_id, self.employee)
        self.assertEqual(lines.aftersales_intervention_id, intervention)
        column = plan._column_name()
        by_account = {line[column]: line for line in lines}
        self.assertEqual(set(by_account), {account_a, account_b})
        self.assertAlmostEqual(by_account[account_a].unit_amount, 1.5)
        self.assertAlmostEqual(by_account[account_b].unit_amount, 0.5)
        self.assertEqual(lines.account_id, project.account_id)
        self.assertAlmostEqual(sum(lines.mapped("amount")), -60.0)  # 2 h at 30/h
        # a second intervention of the team uses the same project
        other = self._create_intervention()
        self._entry(other, datetime(2026, 6, 4, 7, 0), datetime(2026, 6, 4, 8, 0))
        self.assertEqual(other.sudo().timesheet_ids.project_id, project)
        # changing the entry rewrites its lines; deleting it deletes them
        entry.date_end = datetime(2026, 6, 3, 8, 0)
        self.assertAlmostEqual(sum(entry.sudo().timesheet_ids.mapped("unit_amount")), 1.0)
        entry.unlink()
        self.assertFalse(intervention.sudo().timesheet_ids)

    def test_vendor_hours_make_no_timesheet(self):
        intervention = self._create_intervention(subcontractor_id=self.vendor.id)
        entry = self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": intervention.id,
                "vendor_id": self.vendor.id,
                "date_start": datetime(2026, 6, 3, 7, 0),
                "date_end": datetime(2026, 6, 3, 10, 0),
            }
        )
        self.assertAlmostEqual(entry.normal_hours, 3.0)
        self.assertFalse(entry.sudo().timesheet_ids)
        with self.assertRaises(ValidationError):
            self.env["aftersales.intervention.time"].create(
                {
                    "intervention_id": intervention.id,
                    "vendor_id": self.customer_other.id,
                    "date_start": datetime(2026, 6, 4, 7, 0),
                    "date_end": datetime(2026, 6, 4, 8, 0),
                }
            )

    @users("as_technician")
    def test_start_stop_as_technician(self):
        intervention = self._create_intervention().with_user(self.env.user)
        with freeze_time("2026-06-03 07:00:12"):
            intervention.action_start()
            self.assertEqual(intervention.state, "in_progress")
            self.assertTrue(intervention.is_timer_running)
            running = intervention.time_ids
            self.assertEqual(running.date_start, datetime(2026, 6, 3, 7, 0))
            self.assertFalse(running.date_end)
        with freeze_time("2026-06-03 08:30:45"):
            intervention.action_stop()
            self.assertEqual(running.date_end, datetime(2026, 6, 3, 8, 30))
            self.assertFalse(intervention.is_timer_running)
        with freeze_time("2026-06-03 09:00:00"):
            intervention.action_start_travel()
        with freeze_time("2026-06-03 09:45:00"):
            intervention.action_done()
        self.assertEqual(intervention.state, "done")
        self.assertEqual(
            self._lines(intervention.time_ids),
            {
                (date(2026, 6, 3), "work", "normal"): 90,
                (date(2026, 6, 3), "travel", "normal"): 45,
            },
        )
        self.assertFalse(intervention.time_ids.filtered("is_running"))

    @users("as_technician")
    def test_start_stops_the_running_entry_elsewhere(self):
        first = self._create_intervention().with_user(self.env.user)
        second = self._create_intervention().with_user(self.env.user)
        with freeze_time("2026-06-03 07:00:00"):
            first.action_start()
        with freeze_time("2026-06-03 08:00:00"):
            second.action_start_travel()
        self.assertEqual(first.time_ids.date_end, datetime(2026, 6, 3, 8, 0))
        self.assertTrue(second.time_ids.is_running)
        with freeze_time("2026-06-03 08:00:30"):
            second.action_stop()  # stopped within its first minute: nothing recorded
        self.assertFalse(second.time_ids)

    def test_start_by_someone_not_assigned(self):
        intervention = self._create_intervention()
        with self.assertRaises(UserError):
            intervention.with_user(self.user_technician_2).action_start_work()
        self.assertFalse(intervention.time_ids)

    def test_bad_time_entries(self):
        intervention = self._create_intervention(self.employee | self.employee_2)
        start = datetime(2026, 6, 3, 7, 0)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._entry(intervention, start, datetime(2026, 6, 3, 6, 0))  # end before start
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._entry(intervention, start, start)  # zero length
        entry = self._entry(intervention, start, datetime(2026, 6, 3, 9, 0))
        with self.assertRaises(ValidationError):
            entry.date_end = datetime(2026, 6, 3, 6, 0)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            # overlapping entries of one technician, even on another intervention
            self._entry(
                self._create_intervention(), datetime(2026, 6, 3, 8, 0), datetime(2026, 6, 3, 10, 0)
            )
        # another technician at the same time is fine
        self._entry(intervention, start, datetime(2026, 6, 3, 9, 0), employee=self.employee_2)
        with self.assertRaises(ValidationError):
            self._entry(
                intervention,
                datetime(2026, 6, 4, 7, 0),
                datetime(2026, 6, 4, 8, 0),
                employee=self.employee_other,
            )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            intervention.travel_km = -5
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            intervention.per_diem_days = -1
        self.assertEqual(len(intervention.time_ids), 2)
        self.assertEqual(len(intervention.sudo().timesheet_ids), 2)

    def test_technician_of_another_company(self):
        with self.assertRaises(UserError):
            self._create_intervention(self.employee_b)

    def test_finished_worksheet_is_for_managers(self):
        intervention = self._create_intervention()
        entry = self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 9, 0))
        intervention.action_start()
        intervention.action_done()
        as_technician = intervention.with_user(self.user_technician)
        self.assertTrue(as_technician.worksheet_locked)
        with self.assertRaises(UserError):
            entry.with_user(self.user_technician).date_end = datetime(2026, 6, 3, 10, 0)
        with self.assertRaises(UserError):
            as_technician.travel_km = 40
        with self.assertRaises(UserError):
            self.env["aftersales.intervention.time"].with_user(self.user_technician).create(
                {
                    "intervention_id": intervention.id,
                    "employee_id": self.employee.id,
                    "date_start": datetime(2026, 6, 3, 10, 0),
                    "date_end": datetime(2026, 6, 3, 11, 0),
                }
            )
        with self.assertRaises(UserError):
            entry.with_user(self.user_technician).unlink()
        self.assertAlmostEqual(intervention.actual_hours, 2.0)
        # the manager corrects it, and the chatter says so
        as_manager = intervention.with_user(self.user_manager)
        self.assertFalse(as_manager.worksheet_locked)
        entry.with_user(self.user_manager).date_end = datetime(2026, 6, 3, 10, 0)
        as_manager.travel_km = 40
        self.assertAlmostEqual(intervention.actual_hours, 3.0)
        self.assertAlmostEqual(sum(entry.sudo().timesheet_ids.mapped("unit_amount")), 3.0)
        bodies = intervention.message_ids.mapped("body")
        self.assertTrue(any("Worksheet time changed after finishing" in b for b in bodies))
        self.assertTrue(any("Travel (km)" in b for b in bodies))

    def test_worksheet_form(self):
        intervention = self._create_intervention()
        with Form(intervention.with_user(self.user_technician)) as form:
            with form.time_ids.new() as line:
                line.employee_id = self.employee
                line.time_type = "travel"
                line.date_start = datetime(2026, 6, 3, 6, 0)
                line.date_end = datetime(2026, 6, 3, 7, 0)
            form.travel_km = 42
            form.per_diem_days = 0.5
        self.assertAlmostEqual(intervention.travel_hours, 1.0)
        self.assertEqual(intervention.travel_km, 42)
        self.assertEqual(len(intervention.sudo().timesheet_ids), 1)
