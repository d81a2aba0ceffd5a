import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .aftersales_field_policy import system_writes
from .aftersales_input_guard import HTML_TEXT_LIMIT, NAME_TEXT_LIMIT, check_text_limits
from .aftersales_intervention_time import HOUR_KINDS, TIME_TYPES

# Fields a technician fills in while the intervention runs; once it is finished, only
# a manager changes them, and the change is logged.
WORKSHEET_FIELDS = {"work_done", "per_diem_days", "travel_km"}

_logger = logging.getLogger(__name__)

SIGNED_REPORT_CRON = "aftersales.ir_cron_aftersales_signed_report"


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
        signing = "signature" in vals
        if signing:
            self._check_field_policy([vals])  # a signed report stays as it was signed
            vals = dict(vals, signed_on=fields.Datetime.now() if vals["signature"] else False)
            if not vals["signature"]:
                vals.setdefault("signed_by", False)
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
        if signing:
            with system_writes("signed_on"):
                return super().write(vals)
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

    def _finish_stop_timers(self):
        res = super()._finish_stop_timers()
        self.time_ids.filtered("is_running")._stop(self._now_minute())
        return res

    # ------------------------------------------------------------------
    # The customer's signature and the service report (rapportino): signed on the
    # technician's device or in the portal, printed as a PDF and sent from the chatter.
    #
    # A signature given in the portal stores the signature and queues the signed PDF: a
    # cron job, triggered at once, renders it and posts it to the customer and the
    # followers, so that no customer request waits for the PDF engine.
    # ------------------------------------------------------------------

    signature = fields.Image(
        copy=False,
        attachment=True,
        max_width=1024,
        max_height=1024,
        help="The customer's signature.",
    )
    signed_by = fields.Char(copy=False, tracking=True, help="Name of the person who signed.")
    signed_on = fields.Datetime(copy=False, readonly=True, tracking=True)
    signature_required = fields.Boolean(related="team_id.signature_required")
    signed_report_pending = fields.Boolean(
        string="Signed Report to Send",
        copy=False,
        readonly=True,
        help="Signed in the portal: the signed PDF is being rendered and will be posted.",
    )

    @api.constrains("signed_by")
    def _check_signed_by_length(self):
        check_text_limits(self, {"signed_by": NAME_TEXT_LIMIT})

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("signature"):
                vals["signed_on"] = fields.Datetime.now()
        with system_writes("signed_on"):
            return super().create(vals_list)

    def _frozen_fields(self):
        """Who signed, and when, is written once: the signature and the signer's name of
        a signed report are closed."""
        frozen = super()._frozen_fields()
        if any(self.mapped("signed_on")):
            frozen |= {"signature", "signed_by"}
        return frozen

    def _finish_check(self):
        res = super()._finish_check()
        unsigned = self.filtered(lambda i: i.team_id.signature_required and not i.signature)
        if unsigned:
            raise UserError(
                self.env._(
                    "Intervention %s needs the customer's signature before it is finished: "
                    "its team requires one.",
                    unsigned[0].name,
                )
            )
        return res

    def _has_to_be_signed(self):
        """The customer may sign the report in the portal: a finished or running
        visit that nobody has signed yet."""
        self.ensure_one()
        return self.state in ("in_progress", "done") and not self.signature

    def _report_tz(self):
        """The time zone of every time the service report prints: the team's working
        hours, else the company's, so that two prints of one report agree whoever
        renders them."""
        self.ensure_one()
        return (
            self.team_id.resource_calendar_id.tz
            or self.company_id.resource_calendar_id.tz
            or self.company_id.partner_id.tz
            or "UTC"
        )

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Service Report %s", self.name).replace("/", "-")

    def _report_time_rows(self):
        """[(time type label, kind label, hours)] of the worksheet, for the report."""
        self.ensure_one()
        types = dict(
            self.env["aftersales.intervention.time"]
            ._fields["time_type"]
            ._description_selection(self.env)
        )
        kinds = dict(
            self.env["account.analytic.line"]
            ._fields["aftersales_hour_kind"]
            ._description_selection(self.env)
        )
        rows = []
        for time_type, _label in TIME_TYPES:
            entries = self.time_ids.filtered(lambda e, t=time_type: e.time_type == t)
            for kind, _kind_label in HOUR_KINDS:
                hours = sum(entries.mapped(f"{kind}_hours"))
                if hours:
                    rows.append((types[time_type], kinds[kind], hours))
        return rows

    def action_send_report(self):
        """Open the mail composer with the service report attached."""
        self.ensure_one()
        template = self.env.ref("aftersales.mail_template_aftersales_intervention_report")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "force_email": True,
            },
        }

    def _report_material_lines(self):
        """Rows of materials for the service report (``ReportRow``); the stock concern
        fills it."""
        self.ensure_one()
        return []

    # ------------------------------------------------------------------
    # The signed report, rendered outside the customer's request
    # ------------------------------------------------------------------
    def _queue_signed_report(self):
        """Have the signed PDF rendered and posted by the cron job, started at once."""
        # sudo: the queue flag is a system field; the signer may be a portal user
        self.sudo().write({"signed_report_pending": True})
        self.env.ref(SIGNED_REPORT_CRON).sudo()._trigger()

    @api.model
    def _cron_post_signed_reports(self, batch_size=20):
        """Render and post the signed reports queued, ``batch_size`` at a time, in the
        loop of ``aftersales.cron.mixin``; one that fails stays queued for the next run,
        the others go on."""
        pending = Domain("signed_report_pending", "=", True)
        self._cron_in_batches(
            find=lambda skipped: self._cron_find(
                pending & Domain("id", "not in", skipped), batch_size, order="id"
            ),
            recheck=pending,
            work=lambda interventions: (len(interventions), interventions._post_signed_reports()),
            record_errors=self._log_signed_report_errors,
        )

    def _post_signed_reports(self):
        """Post the signed report of each intervention of ``self`` on its own; returns
        {intervention: error}."""
        _posted, errors = self._one_by_one(
            lambda intervention: intervention._post_signed_report(), self
        )
        return errors

    @api.model
    def _log_signed_report_errors(self, errors):
        for intervention, error in errors.items():
            _logger.warning(
                "Signed report of intervention %s not posted: %s", intervention.name, error
            )

    def _post_signed_report(self):
        """Post the signed PDF to the customer and the followers."""
        self.ensure_one()
        intervention = self.with_context(lang=self.partner_id.lang)
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(
            "aftersales.action_report_aftersales_intervention", self.ids
        )[0]
        intervention.message_post(
            attachments=[(f"{intervention._get_report_base_filename()}.pdf", pdf)],
            author_id=self.company_id.partner_id.id,
            partner_ids=self.partner_id.ids,
            body=intervention.env._("Signed service report of %s.", self.name),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.signed_report_pending = False
