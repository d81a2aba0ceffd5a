import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_field_policy import system_writes
from .aftersales_intervention_time import HOUR_KINDS, TIME_TYPES
from .aftersales_text_guard import NAME_TEXT_LIMIT, check_text_limits

_logger = logging.getLogger(__name__)

SIGNED_REPORT_CRON = "aftersales.ir_cron_aftersales_signed_report"


class AftersalesIntervention(models.Model):
    """The customer's signature and the service report (rapportino): signed on the
    technician's device or in the portal, printed as a PDF and sent from the chatter.

    A signature given in the portal stores the signature and queues the signed PDF: a
    cron job, triggered at once, renders it and posts it to the customer and the
    followers, so that no customer request waits for the PDF engine."""

    _inherit = "aftersales.intervention"

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

    def write(self, vals):
        if "signature" not in vals:
            return super().write(vals)
        self._check_field_policy([vals])  # a signed report stays as it was signed
        vals = dict(vals, signed_on=fields.Datetime.now() if vals["signature"] else False)
        if not vals["signature"]:
            vals.setdefault("signed_by", False)
        with system_writes("signed_on"):
            return super().write(vals)

    def _frozen_fields(self):
        """Who signed, and when, is written once: the signature and the signer's name of
        a signed report are closed."""
        frozen = super()._frozen_fields()
        if any(self.mapped("signed_on")):
            frozen |= {"signature", "signed_by"}
        return frozen

    def _action_done(self):
        unsigned = self.filtered(lambda i: i.team_id.signature_required and not i.signature)
        if unsigned:
            raise UserError(
                self.env._(
                    "Intervention %s needs the customer's signature before it is finished: "
                    "its team requires one.",
                    unsigned[0].name,
                )
            )
        return super()._action_done()

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
        """Render and post the signed reports queued, ``batch_size`` at a time; one that
        fails stays queued for the next run, the others go on."""
        failed = set()
        while True:
            domain = [("signed_report_pending", "=", True), ("id", "not in", list(failed))]
            interventions = self.search(domain, limit=batch_size, order="id")
            if not interventions:
                return
            remaining = self.search_count(domain)
            self.env["ir.cron"]._commit_progress(remaining=remaining)
            locked = interventions.try_lock_for_update().filtered_domain(domain)
            failed.update((interventions - locked).ids)
            for intervention in locked:
                try:
                    with self.env.cr.savepoint():
                        intervention._post_signed_report()
                except Exception as error:  # noqa: BLE001 - logged, retried next run
                    failed.add(intervention.id)
                    _logger.warning(
                        "Signed report of intervention %s not posted: %s",
                        intervention.name,
                        error,
                    )
            if self.env["ir.cron"]._commit_progress(len(locked)) <= 0:
                return

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
