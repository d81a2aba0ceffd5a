from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_intervention_time import HOUR_KINDS, TIME_TYPES
from .aftersales_text_guard import NAME_TEXT_LIMIT, check_text_limits


class AftersalesIntervention(models.Model):
    """The customer's signature and the service report (rapportino): signed on the
    technician's device or in the portal, printed as a PDF and sent from the chatter."""

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

    @api.constrains("signed_by")
    def _check_signed_by_length(self):
        check_text_limits(self, {"signed_by": NAME_TEXT_LIMIT})

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("signature") and not vals.get("signed_on"):
                vals["signed_on"] = fields.Datetime.now()
        return super().create(vals_list)

    def write(self, vals):
        if "signature" in vals:
            vals = dict(vals, signed_on=fields.Datetime.now() if vals["signature"] else False)
            if not vals["signature"]:
                vals.setdefault("signed_by", False)
        return super().write(vals)

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
