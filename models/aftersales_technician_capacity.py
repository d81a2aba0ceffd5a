from collections import defaultdict
from datetime import datetime, time, timedelta

from pytz import utc

from odoo import api, fields, models
from odoo.fields import Domain

PAST_WEEKS = 53
FUTURE_WEEKS = 8


def week_start(day):
    return day - timedelta(days=day.weekday())


class AftersalesTechnicianCapacity(models.Model):
    """The hours a technician is available in a week: the attendances of the
    employee's working calendar, in the employee's time zone, less the public holidays
    and the leaves (``resource.calendar.leaves``), as Odoo's resource code counts them.

    A calendar does not translate into SQL (time zones, alternating weeks, day periods,
    leaves that cut a day in two): the utilisation report reads these stored rows,
    written by ``_refresh`` (nightly cron for the past year and the next weeks, and
    whoever needs fresh figures at once), instead of walking calendars per row.
    """

    _name = "aftersales.technician.capacity"
    _description = "Technician Weekly Capacity"
    _inherit = ["aftersales.field.policy"]
    _order = "week_start desc, employee_id"

    employee_id = fields.Many2one("hr.employee", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="employee_id.company_id", store=True, index=True)
    week_start = fields.Date(string="Week", required=True, help="The Monday of the week.")
    available_hours = fields.Float(string="Available (h)")

    _employee_week_unique = models.UniqueIndex("(employee_id, week_start)")

    @api.model
    def _technicians(self):
        """Employees of the users of the help desk teams, and the technicians of
        interventions."""
        Team = self.env["aftersales.team"].sudo().with_context(active_test=False)
        teams = Team.search([])
        users = teams.member_ids | teams.leader_id
        employees = self.env["hr.employee"].sudo().search([("user_id", "in", users.ids)])
        booked = (
            self.env["aftersales.intervention"]
            .sudo()
            ._read_group([("employee_ids", "!=", False)], ["employee_ids"])
        )
        return employees.union(*(employee for (employee,) in booked))

    @api.model
    def _refresh(self, date_from=None, date_to=None, employees=None):
        """Rewrite the weekly rows of ``employees`` (default: every technician) for the
        weeks from ``date_from`` to ``date_to`` (default: the past year and the next
        weeks), one calendar read per working calendar."""
        today = fields.Date.context_today(self)
        first = week_start(date_from or today - timedelta(weeks=PAST_WEEKS))
        last = week_start(date_to or today + timedelta(weeks=FUTURE_WEEKS))
        employees = (employees if employees is not None else self._technicians()).sudo()
        hours = defaultdict(float)
        for calendar, group in employees.grouped("resource_calendar_id").items():
            if not calendar:
                continue
            # a day's margin on each side: the weeks are cut in each employee's time zone
            start = datetime.combine(first - timedelta(days=1), time.min).replace(tzinfo=utc)
            end = datetime.combine(last + timedelta(days=8), time.min).replace(tzinfo=utc)
            intervals = calendar._work_intervals_batch(start, end, resources=group.resource_id)
            for employee in group:
                for begin, stop, _meta in intervals[employee.resource_id.id]:
                    week = week_start(begin.date())
                    if first <= week <= last:
                        hours[employee.id, week] += (stop - begin).total_seconds() / 3600.0
        # sudo: the capacity is a system table, written here only
        Capacity = self.sudo()
        Capacity.search(
            Domain("employee_id", "in", employees.ids)
            & Domain("week_start", ">=", first)
            & Domain("week_start", "<=", last)
        ).unlink()
        vals_list = []
        for employee in employees:
            week = first
            while week <= last:
                vals_list.append(
                    {
                        "employee_id": employee.id,
                        "week_start": week,
                        "available_hours": round(hours[employee.id, week], 6),
                    }
                )
                week += timedelta(weeks=1)
        return Capacity.create(vals_list)

    @api.model
    def _window(self):
        """The first and last day the cron keeps."""
        today = fields.Date.context_today(self)
        return today - timedelta(weeks=PAST_WEEKS), today + timedelta(weeks=FUTURE_WEEKS)

    @api.model
    def _refresh_changed(self, employees, date_from, date_to):
        """Rewrite at once the stored weeks of ``employees`` that a change of their
        calendars or leaves from ``date_from`` to ``date_to`` touches, within the
        cron's window; employees with no stored week wait for the cron."""
        window_first, window_last = self._window()
        first = max(date_from - timedelta(days=1), window_first)
        last = min(date_to + timedelta(days=1), window_last)
        if not employees or first > last:
            return
        stored = self.sudo()._read_group([("employee_id", "in", employees.ids)], ["employee_id"])
        if stored:
            self._refresh(first, last, self.env["hr.employee"].union(*(e for (e,) in stored)))

    @api.model
    def _cron_refresh(self):
        self._refresh()
        self.env["ir.cron"]._commit_progress(1)
