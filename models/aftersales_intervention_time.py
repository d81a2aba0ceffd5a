from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.intervals import Intervals
from odoo.tools.misc import format_datetime

# The kinds of hours, defined here once: a time entry is work or travel, and its hours
# are normal, overtime or holiday hours. The timesheet lines, the rate card, the charges
# and the hour bank import these.
TIME_TYPES = [("work", "Work"), ("travel", "Travel")]
LABOUR_KINDS = [("normal", "Normal"), ("overtime", "Overtime"), ("holiday", "Public Holiday")]
# a timesheet line's kind of hours, whose field calls public holidays "Holiday"
HOUR_KINDS = [(kind, "Holiday" if kind == "holiday" else label) for kind, label in LABOUR_KINDS]
# what an hour bank converts into bank hours (each kind of labour, and travel time), in
# the order it pays them
BANK_LABOUR_KINDS = [*LABOUR_KINDS, ("travel", dict(TIME_TYPES)["travel"])]
BANK_ORDER = tuple(kind for kind, _label in BANK_LABOUR_KINDS)
# A time entry is dated within these years (the first included, the last not): a date
# outside them is a typing error, and the calendars and time zones that split an entry
# stop working near the years 1 and 9999.
TIME_ENTRY_YEARS = (2000, 2100)


def _hours(intervals):
    return sum((stop - start).total_seconds() for start, stop, _recs in intervals) / 3600


class AftersalesInterventionTime(models.Model):
    """A worksheet time entry: who worked or travelled on an intervention, from when
    to when.

    A technician's finished entry writes its timesheet lines (``account.analytic.line``
    on the team's project, at the employee's hourly cost), split by day and by kind on
    the technician's working calendar and time zone: hours inside the calendar's
    attendances are normal, the others overtime; Sundays and public holidays are
    holiday hours. A subcontractor's reported hours (``vendor_id``) write no timesheet:
    their cost comes from the purchase order. An entry without an end is running (the
    technician pressed Start).
    """

    _name = "aftersales.intervention.time"
    _description = "Intervention Time Entry"
    _inherit = ["aftersales.field.policy"]
    _order = "date_start, id"
    _check_company_auto = True

    intervention_id = fields.Many2one(
        "aftersales.intervention", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="intervention_id.company_id", store=True, index=True)
    employee_id = fields.Many2one(
        "hr.employee", string="Technician", index="btree_not_null", check_company=True
    )
    vendor_id = fields.Many2one(
        "res.partner",
        string="Subcontractor",
        check_company=True,
        help="Hours reported by a subcontractor: they make no timesheet, the purchase order "
        "carries their cost.",
    )
    time_type = fields.Selection(TIME_TYPES, string="Kind", required=True, default="work")
    date_start = fields.Datetime(string="Start", required=True, default=fields.Datetime.now)
    date_end = fields.Datetime(string="End")
    hours = fields.Float(compute="_compute_hours", store=True)
    normal_hours = fields.Float(compute="_compute_hours", store=True)
    overtime_hours = fields.Float(compute="_compute_hours", store=True)
    holiday_hours = fields.Float(compute="_compute_hours", store=True)
    is_running = fields.Boolean(compute="_compute_hours", store=True)
    timesheet_ids = fields.One2many("account.analytic.line", "aftersales_time_id")

    _end_after_start = models.Constraint(
        "CHECK (date_end IS NULL OR date_end > date_start)",
        "A time entry must end after it starts, and last more than zero minutes.",
    )
    _one_worker = models.Constraint(
        "CHECK (num_nonnulls(employee_id, vendor_id) = 1)",
        "A time entry is either a technician's or a subcontractor's.",
    )
    _no_overlap = models.Constraint(
        "EXCLUDE USING gist (int4range(employee_id, employee_id, '[]') WITH &&,"
        " tsrange(date_start, COALESCE(date_end, 'infinity'::timestamp)) WITH &&)"
        " WHERE (employee_id IS NOT NULL)",
        "A technician cannot have two time entries at the same time.",
    )

    @api.depends(
        "date_start",
        "date_end",
        "employee_id",
        "intervention_id.team_id",
    )
    def _compute_hours(self):
        for entry in self:
            pieces = entry._split_hours() if entry.date_end else []
            by_kind = defaultdict(float)
            for _day, kind, hours in pieces:
                by_kind[kind] += hours
            entry.hours = sum(by_kind.values())
            entry.normal_hours = by_kind["normal"]
            entry.overtime_hours = by_kind["overtime"]
            entry.holiday_hours = by_kind["holiday"]
            entry.is_running = not entry.date_end

    @api.depends("intervention_id", "employee_id", "vendor_id", "time_type")
    def _compute_display_name(self):
        labels = dict(self._fields["time_type"]._description_selection(self.env))
        for entry in self:
            worker = entry.employee_id or entry.vendor_id
            entry.display_name = f"{entry.intervention_id.name}: {labels.get(entry.time_type)}"
            if worker:
                entry.display_name += f" ({worker.name})"

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        first, last = (datetime(year, 1, 1) for year in TIME_ENTRY_YEARS)
        for entry in self:
            for date in (entry.date_start, entry.date_end):
                if date and not first <= date < last:
                    raise ValidationError(
                        self.env._(
                            "A time entry is dated between %(first)s and %(last)s: %(date)s "
                            "is not.",
                            first=TIME_ENTRY_YEARS[0],
                            last=TIME_ENTRY_YEARS[1] - 1,
                            date=date.isoformat(" "),
                        )
                    )
            if entry.date_end and entry.date_end < entry.date_start:
                raise ValidationError(
                    self.env._("A time entry cannot end (%s) before it starts.", entry.date_end)
                )
            if entry.date_end and entry.date_end == entry.date_start:
                raise ValidationError(self.env._("A time entry cannot last zero minutes."))
        self._check_length()

    def _check_length(self):
        """An entry lasts at most the company's longest time entry (a day by default):
        its timesheet lines are written day by day."""
        for entry in self.filtered("date_end"):
            longest = entry.company_id.aftersales_time_entry_max_hours
            hours = (entry.date_end - entry.date_start).total_seconds() / 3600
            if hours > longest:
                raise ValidationError(
                    self.env._(
                        "A time entry lasts at most %(longest)s hours (the company's setting): "
                        "the entry of %(worker)s on %(intervention)s, from %(start)s to "
                        "%(end)s, lasts %(hours)s hours. Correct its start or end, or record "
                        "a longer job as several entries.",
                        longest="%g" % longest,
                        worker=(entry.employee_id or entry.vendor_id).name or "",
                        intervention=entry.intervention_id.name,
                        start=format_datetime(self.env, entry.date_start),
                        end=format_datetime(self.env, entry.date_end),
                        hours="%.1f" % hours,
                    )
                )

    @api.constrains("employee_id", "vendor_id", "intervention_id")
    def _check_worker(self):
        for entry in self:
            intervention = entry.intervention_id
            if entry.employee_id and entry.employee_id not in intervention.employee_ids:
                raise ValidationError(
                    self.env._(
                        "%(employee)s is not a technician of intervention %(name)s.",
                        employee=entry.employee_id.name,
                        name=intervention.name,
                    )
                )
            if entry.vendor_id and entry.vendor_id != intervention.subcontractor_id:
                raise ValidationError(
                    self.env._(
                        "%(vendor)s is not the subcontractor of intervention %(name)s.",
                        vendor=entry.vendor_id.name,
                        name=intervention.name,
                    )
                )

    def _check_worksheet_open(self, interventions, action):
        """Time of a cancelled intervention is frozen; of a finished one, only managers
        change it, and the change is logged on the intervention."""
        if interventions.filtered(lambda i: i.state == "cancel"):
            raise UserError(self.env._("A cancelled intervention's time cannot change."))
        done = interventions.filtered(lambda i: i.state == "done")
        if not done:
            return
        if not self.env.user.has_group("aftersales.group_aftersales_manager"):
            raise UserError(
                self.env._(
                    "Intervention %s is finished: only a manager can change its worksheet.",
                    done[0].name,
                )
            )
        for intervention in done:
            intervention.message_post(
                body=self.env._("Worksheet time changed after finishing: %s.", action),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # CRUD: every change of a finished entry rewrites its timesheet lines
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        interventions = self.env["aftersales.intervention"].browse(
            {vals.get("intervention_id") for vals in vals_list}
        )
        self._check_worksheet_open(interventions, self.env._("entry added"))
        entries = super().create(vals_list)
        entries._sync_timesheets()
        return entries

    def write(self, vals):
        self._check_worksheet_open(self.intervention_id, self.env._("entry changed"))
        res = super().write(vals)
        if vals.keys() & {"date_start", "date_end", "employee_id", "time_type", "intervention_id"}:
            self._sync_timesheets()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_worksheet(self):
        """Checked before the timesheet lines go with the entry (``ondelete='cascade'``)."""
        self._check_worksheet_open(self.intervention_id, self.env._("entry deleted"))

    def _stop(self, when):
        """Stop running entries at ``when``; one stopped within its first minute
        recorded nothing and goes."""
        empty = self.filtered(lambda e: e.date_start >= when)
        empty.unlink()
        (self - empty).write({"date_end": when})

    # ------------------------------------------------------------------
    # Splitting by kind
    # ------------------------------------------------------------------
    def _calendar_and_tz(self):
        self.ensure_one()
        employee = self.employee_id.sudo()  # the calendar is on the employee's HR version
        calendar = (
            employee.resource_calendar_id
            or self.intervention_id.team_id.resource_calendar_id
            or self.company_id.resource_calendar_id
        )
        tz = employee.tz or calendar.tz or "UTC"
        return calendar, pytz.timezone(tz)

    def _holiday_intervals(self, calendar, start, stop):
        """Public holidays (global leaves of the calendar or of every calendar) met by
        the entry, as aware intervals."""
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", [calendar.id, False]),
                    ("company_id", "in", [self.company_id.id, False]),
                    ("date_from", "<", stop.astimezone(pytz.utc).replace(tzinfo=None)),
                    ("date_to", ">", start.astimezone(pytz.utc).replace(tzinfo=None)),
                ]
            )
        )
        return Intervals(
            [
                (
                    pytz.utc.localize(leave.date_from),
                    pytz.utc.localize(leave.date_to),
                    self.env["resource.calendar.leaves"],
                )
                for leave in leaves
            ]
        )

    def _split_hours(self):
        """``[(local date, kind, hours)]`` of this finished entry, day by day in the
        worker's time zone (a day may last 23 or 25 hours across a DST change)."""
        self.ensure_one()
        calendar, tz = self._calendar_and_tz()
        start = pytz.utc.localize(self.date_start)
        stop = pytz.utc.localize(self.date_end)
        none = self.env["resource.calendar.attendance"]
        entry = Intervals([(start, stop, none)])
        holidays = self._holiday_intervals(calendar, start, stop)
        resource = self.employee_id.sudo().resource_id
        if calendar:
            attendances = calendar._attendance_intervals_batch(
                start, stop, resources=resource, tz=tz
            )[resource.id]
        else:
            attendances = Intervals()
        result = []
        day = start.astimezone(tz).date()
        while True:
            day_start = tz.localize(datetime.combine(day, time.min))
            if day_start >= stop:
                break
            day_stop = tz.localize(datetime.combine(day + timedelta(days=1), time.min))
            piece = entry & Intervals([(day_start, day_stop, none)])
            if day.weekday() == 6:
                holiday = piece
            else:
                holiday = piece & holidays
            worked = piece - holiday
            normal = worked & attendances
            overtime = worked - normal
            for kind, intervals in (
                ("normal", normal),
                ("overtime", overtime),
                ("holiday", holiday),
            ):
                hours = _hours(intervals)
                if hours:
                    result.append((day, kind, hours))
            day += timedelta(days=1)
        return result

    # ------------------------------------------------------------------
    # Timesheet lines
    # ------------------------------------------------------------------
    def _sync_timesheets(self):
        """Rewrite the timesheet lines of these entries: system records, written after
        the access checks of the entry itself."""
        self.sudo().timesheet_ids.unlink()
        vals_list = []
        for entry in self.filtered(lambda e: e.employee_id and e.date_end):
            vals_list.extend(entry._prepare_timesheet_vals_list())
        if vals_list:
            self.env["account.analytic.line"].sudo().create(vals_list)

    def _prepare_timesheet_vals_list(self):
        self.ensure_one()
        intervention = self.intervention_id
        project = intervention._get_timesheet_project().sudo()  # a technician may not read projects
        distribution = intervention._timesheet_distribution(project)
        kinds = dict(HOUR_KINDS)
        types = dict(TIME_TYPES)
        vals_list = []
        for day, kind, hours in self._split_hours():
            vals = {
                "name": f"{intervention.name} - {types[self.time_type]} ({kinds[kind]})",
                "date": day,
                "project_id": project.id,
                "employee_id": self.employee_id.id,
                "company_id": intervention.company_id.id,
                "unit_amount": hours,
                "partner_id": intervention.commercial_partner_id.id,
                "aftersales_intervention_id": intervention.id,
                "aftersales_time_id": self.id,
                "aftersales_time_type": self.time_type,
                "aftersales_hour_kind": kind,
            }
            if distribution:
                vals["analytic_distribution"] = distribution
            vals_list.append(vals)
        return vals_list
