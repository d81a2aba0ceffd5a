from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_datetime
from odoo.tools.intervals import Intervals

from .aftersales_intervention_booking import ACTIVE_STATES

PLANNING_FIELDS = {
    "state",
    "employee_ids",
    "vehicle_id",
    "date_planned_start",
    "date_planned_end",
    "planning_forced",
}


class AftersalesIntervention(models.Model):
    """Planning: a technician or a vehicle booked twice is a warning on the form and a
    block on saving, unless a manager forces it; the bookings table makes the block hold
    under concurrent saves. Planning on a technician's leave, a public holiday or outside
    working hours warns."""

    _inherit = "aftersales.intervention"

    planning_forced = fields.Boolean(
        string="Force Planning",
        copy=False,
        tracking=True,
        help="Managers only: keep this planning even though a technician or the vehicle "
        "is booked elsewhere at the same time.",
    )
    booking_ids = fields.One2many("aftersales.intervention.booking", "intervention_id")
    planning_warning = fields.Text(compute="_compute_planning_warning")

    # ------------------------------------------------------------------
    # Warnings
    # ------------------------------------------------------------------
    @api.depends("employee_ids", "vehicle_id", "date_planned_start", "date_planned_end", "state")
    def _compute_planning_warning(self):
        for intervention in self:
            if (
                intervention.state in ("done", "cancel")
                or not intervention.date_planned_start
                or not intervention.date_planned_end
                or intervention.date_planned_end <= intervention.date_planned_start
            ):
                intervention.planning_warning = False
                continue
            messages = intervention._conflict_messages() + intervention._calendar_messages()
            intervention.planning_warning = "\n".join(messages) or False

    def _overlapping_domain(self):
        self.ensure_one()
        return (
            Domain("state", "in", ACTIVE_STATES)
            & Domain("date_planned_start", "<", self.date_planned_end)
            & Domain("date_planned_end", ">", self.date_planned_start)
            & Domain("id", "not in", self._origin.ids)
        )

    def _conflict_messages(self):
        """Other planned interventions that take one of the technicians or the vehicle
        (read as the system: a technician may not see another team's visits, nor anyone
        without Fleet rights the vehicle; the warning names them all the same)."""
        self.ensure_one()
        resources = Domain("employee_ids", "in", self.employee_ids._origin.ids)
        if self.vehicle_id:
            resources |= Domain("vehicle_id", "=", self.vehicle_id._origin.id)
        others = self.sudo().search(self._overlapping_domain() & resources)
        messages = []
        for other in others:
            for employee in other.employee_ids & self.employee_ids._origin:
                messages.append(
                    self.env._(
                        "%(who)s is already booked on %(name)s (%(start)s).",
                        who=employee.name,
                        name=other.name,
                        start=format_datetime(self.env, other.date_planned_start),
                    )
                )
            if self.vehicle_id and other.vehicle_id == self.vehicle_id._origin:
                messages.append(
                    self.env._(
                        "Vehicle %(who)s is already booked on %(name)s (%(start)s).",
                        who=self.vehicle_id.sudo().display_name,
                        name=other.name,
                        start=format_datetime(self.env, other.date_planned_start),
                    )
                )
        return messages

    def _calendar_messages(self):
        """Leaves, public holidays and hours outside each technician's calendar."""
        self.ensure_one()
        start = pytz.utc.localize(self.date_planned_start)
        stop = pytz.utc.localize(self.date_planned_end)
        messages = []
        for employee in self.employee_ids.sudo():
            calendar = employee.resource_calendar_id or self.company_id.resource_calendar_id
            resource = employee.resource_id
            leaves = (
                self.env["resource.calendar.leaves"]
                .sudo()
                .search(
                    Domain("date_from", "<", self.date_planned_end)
                    & Domain("date_to", ">", self.date_planned_start)
                    & (
                        Domain("resource_id", "=", resource.id)
                        | (
                            Domain("resource_id", "=", False)
                            & Domain("calendar_id", "in", [calendar.id, False])
                            & Domain("company_id", "in", [self.company_id.id, False])
                        )
                    )
                )
            )
            for leave in leaves:
                messages.append(
                    self.env._(
                        "%(who)s: %(leave)s (%(kind)s).",
                        who=employee.name,
                        leave=leave.name or self.env._("Time off"),
                        kind=self.env._("public holiday")
                        if not leave.resource_id
                        else self.env._("leave"),
                    )
                )
            if calendar and not leaves:
                tz = pytz.timezone(employee.tz or calendar.tz or "UTC")
                attendances = calendar._attendance_intervals_batch(
                    start - timedelta(days=1), stop + timedelta(days=1), resources=resource, tz=tz
                )[resource.id]
                planned = Intervals([(start, stop, self.env["resource.calendar.attendance"])])
                if planned - attendances:
                    messages.append(
                        self.env._(
                            "%(who)s: outside working hours (%(calendar)s).",
                            who=employee.name,
                            calendar=calendar.name,
                        )
                    )
        return messages

    # ------------------------------------------------------------------
    # Bookings: the block and its database guarantee
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_force_right(vals_list)
        interventions = super().create(vals_list)
        # new interventions have no booking to rewrite yet
        interventions._sync_bookings(new=True)
        return interventions

    def write(self, vals):
        self._check_force_right([vals])
        res = super().write(vals)
        if PLANNING_FIELDS & vals.keys():
            self._sync_bookings()
        return res

    def _check_force_right(self, vals_list):
        if any(vals.get("planning_forced") for vals in vals_list) and not self.env.user.has_group(
            "aftersales.group_aftersales_manager"
        ):
            raise UserError(self.env._("Only a manager can force a planning."))

    def _prepare_booking_vals_list(self):
        self.ensure_one()
        common = {
            "intervention_id": self.id,
            "date_start": self.date_planned_start,
            "date_end": self.date_planned_end,
            "forced": self.planning_forced,
        }
        vals_list = [
            {**common, "resource_kind": "employee", "resource_id": employee.id}
            for employee in self.employee_ids
        ]
        if self.vehicle_id:
            vals_list.append(
                {**common, "resource_kind": "vehicle", "resource_id": self.vehicle_id.id}
            )
        return vals_list

    def _sync_bookings(self, new=False):
        """Rewrite the bookings of these interventions (``new``: just created, they have
        none to remove); refuse a double booking with a clear message (the exclusion
        constraints refuse what this check cannot see, another transaction's uncommitted
        booking)."""
        if not new:
            self.env["aftersales.intervention.booking"].sudo().search(
                [("intervention_id", "in", self.ids)]
            ).unlink()
        booked = self.filtered(
            lambda i: i.state in ACTIVE_STATES and i.date_planned_start and i.date_planned_end
        )
        for intervention in booked.filtered(lambda i: not i.planning_forced):
            conflicts = intervention._conflict_messages()
            if conflicts:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s cannot be planned then:\n%(conflicts)s\n"
                        "Plan another time, or ask a manager to force it.",
                        name=intervention.name,
                        conflicts="\n".join(conflicts),
                    )
                )
        vals_list = [vals for i in booked for vals in i._prepare_booking_vals_list()]
        if vals_list:
            self.env["aftersales.intervention.booking"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Planned against executed, stored so that list, pivot and graph group and sum
    # them: hours and dates per intervention (and so per technician, team, contract), and
    # preventive visits due against done per contract and contract year.
    # ------------------------------------------------------------------

    actual_duration = fields.Float(
        compute="_compute_executed",
        store=True,
        help="Hours from the actual start to the actual finish.",
    )
    hours_variance = fields.Float(
        compute="_compute_executed",
        store=True,
        help="Hours recorded on the worksheet less the planned hours.",
    )
    start_delay = fields.Float(
        string="Start Delay (h)",
        compute="_compute_executed",
        store=True,
        help="Hours between the planned and the actual start (negative when early).",
    )
    preventive_due = fields.Integer(
        compute="_compute_preventive_counts",
        store=True,
        help="1 for a preventive visit of a contract year that is not cancelled.",
    )
    preventive_done = fields.Integer(
        compute="_compute_preventive_counts",
        store=True,
        help="1 for a preventive visit of a contract year that is done.",
    )

    @api.depends(
        "planned_hours", "actual_hours", "date_start", "date_end", "date_planned_start", "state"
    )
    def _compute_executed(self):
        for intervention in self:
            start, end = intervention.date_start, intervention.date_end
            intervention.actual_duration = (
                (end - start).total_seconds() / 3600 if start and end else 0.0
            )
            intervention.hours_variance = (
                intervention.actual_hours - intervention.planned_hours
                if intervention.state == "done"
                else 0.0
            )
            intervention.start_delay = (
                (start - intervention.date_planned_start).total_seconds() / 3600
                if start and intervention.date_planned_start
                else 0.0
            )

    @api.depends("preventive_line_id", "state")
    def _compute_preventive_counts(self):
        for intervention in self:
            due = bool(intervention.preventive_line_id) and intervention.state != "cancel"
            intervention.preventive_due = int(due)
            intervention.preventive_done = int(due and intervention.state == "done")
