from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_field_policy import system_writes
from .aftersales_text_guard import HTML_TEXT_LIMIT, check_text_limits

# Fields a technician fills in while the intervention runs; once it is finished, only
# a manager changes them, and the change is logged.
WORKSHEET_FIELDS = {"work_done", "per_diem_days", "travel_km"}


class AftersalesIntervention(models.Model):
    """The worksheet: time entries (work and travel, written to timesheet lines split by
    kind), per diem days and travel kilometres, with Start and Stop buttons for the
    technician on the phone."""

    _inherit = "aftersales.intervention"

    time_ids = fields.One2many("aftersales.intervention.time", "intervention_id")
    timesheet_ids = fields.One2many(
        "account.analytic.line",
        "aftersales_intervention_id",
        groups="hr_timesheet.group_hr_timesheet_user",
    )
    per_diem_days = fields.Float(tracking=True, help="Days of per diem due to the technicians.")
    travel_km = fields.Float(
        string="Travel (km)",
        tracking=True,
        help="Kilometres travelled, when no vehicle's odometer records them.",
    )
    work_hours = fields.Float(compute="_compute_worked_hours", store=True)
    travel_hours = fields.Float(compute="_compute_worked_hours", store=True)
    actual_hours = fields.Float(
        compute="_compute_worked_hours", store=True, help="Work and travel hours recorded."
    )
    normal_hours = fields.Float(compute="_compute_worked_hours", store=True)
    overtime_hours = fields.Float(compute="_compute_worked_hours", store=True)
    holiday_hours = fields.Float(compute="_compute_worked_hours", store=True)
    is_timer_running = fields.Boolean(
        string="My Timer Running",
        compute="_compute_is_timer_running",
        help="The current user's time entry on this intervention is running.",
    )
    worksheet_locked = fields.Boolean(compute="_compute_worksheet_locked")

    _worksheet_positive = models.Constraint(
        "CHECK (per_diem_days >= 0 AND travel_km >= 0)",
        "Per diem days and kilometres cannot be negative.",
    )

    @api.constrains("work_done")
    def _check_work_done_length(self):
        check_text_limits(self, {"work_done": HTML_TEXT_LIMIT})

    @api.depends(
        "time_ids.hours",
        "time_ids.time_type",
        "time_ids.normal_hours",
        "time_ids.overtime_hours",
        "time_ids.holiday_hours",
    )
    def _compute_worked_hours(self):
        for intervention in self:
            entries = intervention.time_ids
            work = entries.filtered(lambda e: e.time_type == "work")
            intervention.work_hours = sum(work.mapped("hours"))
            intervention.travel_hours = sum((entries - work).mapped("hours"))
            intervention.actual_hours = sum(entries.mapped("hours"))
            intervention.normal_hours = sum(entries.mapped("normal_hours"))
            intervention.overtime_hours = sum(entries.mapped("overtime_hours"))
            intervention.holiday_hours = sum(entries.mapped("holiday_hours"))

    @api.depends("time_ids.is_running", "time_ids.employee_id")
    @api.depends_context("uid")
    def _compute_is_timer_running(self):
        employees = self.env.user.employee_ids
        for intervention in self:
            intervention.is_timer_running = any(
                entry.is_running and entry.employee_id in employees
                for entry in intervention.time_ids
            )

    @api.depends("state")
    @api.depends_context("uid")
    def _compute_worksheet_locked(self):
        manager = self.env.user.has_group("aftersales.group_aftersales_manager")
        for intervention in self:
            intervention.worksheet_locked = intervention.state == "cancel" or (
                intervention.state == "done" and not manager
            )

    def write(self, vals):
        if WORKSHEET_FIELDS & vals.keys():
            done = self.filtered(lambda i: i.state == "done")
            if done and not self.env.user.has_group("aftersales.group_aftersales_manager"):
                raise UserError(
                    self.env._(
                        "Intervention %s is finished: only a manager can change its worksheet.",
                        done[0].name,
                    )
                )
            for intervention in done:
                intervention.message_post(
                    body=self.env._(
                        "Worksheet changed after finishing: %s.",
                        ", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in sorted(WORKSHEET_FIELDS & vals.keys())
                        ),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Timesheet project and analytic distribution
    # ------------------------------------------------------------------
    def _get_timesheet_project(self):
        self.ensure_one()
        if self.team_id:
            return self.team_id._ensure_project()
        return self.company_id._aftersales_ensure_project()

    def _timesheet_distribution(self, project):
        """The contract's analytic distribution for timesheet lines, each key completed
        with the project's account when it has none of the project's plan (a timesheet
        line always needs one)."""
        self.ensure_one()
        distribution = self.contract_id.analytic_distribution
        if not distribution:
            return False
        project_account = project.account_id
        accounts = self.env["account.analytic.account"]
        result = {}
        for key, percent in distribution.items():
            ids = [int(account_id) for account_id in key.split(",")]
            if project_account and project_account.root_plan_id not in (
                accounts.browse(ids).root_plan_id
            ):
                ids.append(project_account.id)
            result[",".join(map(str, ids))] = percent
        return result

    # ------------------------------------------------------------------
    # Start and Stop
    # ------------------------------------------------------------------
    def _my_employee(self):
        """The current user's employee among the intervention's technicians."""
        self.ensure_one()
        employee = self.employee_ids & self.env.user.employee_ids
        if not employee:
            raise UserError(
                self.env._(
                    "You are not a technician of intervention %s: only its technicians "
                    "record their time with Start and Stop.",
                    self.name,
                )
            )
        return employee[:1]

    @api.model
    def _now_minute(self):
        return fields.Datetime.now().replace(second=0, microsecond=0)

    def action_start(self):
        """Start the visit; the technician who presses it starts working."""
        res = super().action_start()
        for intervention in self:
            if intervention.employee_ids & self.env.user.employee_ids:
                intervention._start_timer("work")
        return res

    def action_start_work(self):
        return self._start_timer("work")

    def action_start_travel(self):
        return self._start_timer("travel")

    def _start_timer(self, time_type):
        """Stop the technician's running entry, wherever it is, and start a new one."""
        self.ensure_one()
        if self.state not in ("draft", "planned", "in_progress"):
            raise UserError(
                self.env._("Intervention %s is closed: its time cannot start.", self.name)
            )
        employee = self._my_employee()
        now = self._now_minute()
        running = self.env["aftersales.intervention.time"].search(
            [("employee_id", "=", employee.id), ("is_running", "=", True)]
        )
        running._stop(now)
        running.flush_recordset()  # the new entry must not meet the running one in the table
        if self.state in ("draft", "planned"):
            with system_writes():
                self.write({"state": "in_progress", "date_start": self.date_start or now})
        self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": self.id,
                "employee_id": employee.id,
                "time_type": time_type,
                "date_start": now,
            }
        )
        return True

    def action_stop(self):
        self.ensure_one()
        employee = self._my_employee()
        self.time_ids.filtered(lambda e: e.is_running and e.employee_id == employee)._stop(
            self._now_minute()
        )
        return True

    def _action_done(self):
        self.time_ids.filtered("is_running")._stop(self._now_minute())
        return super()._action_done()
