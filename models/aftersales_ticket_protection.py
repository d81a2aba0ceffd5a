from odoo import api, fields, models

from .aftersales_system_fields import MANAGER_GROUP, check_system_fields

# Computed or stamped by the help desk itself: coverage found, deadlines, SLA status
# and the dates that drive it.
TICKET_SYSTEM_FIELDS = (
    "commercial_partner_id",
    "is_closed",
    "coverage_auto",
    "coverage_kind",
    "is_coverage_overridden",
    "sla_response_deadline",
    "sla_resolution_deadline",
    "sla_response_risk_date",
    "sla_resolution_risk_date",
    "sla_status",
    "sla_paused_hours",
    "sla_paused_since",
    "date_closed",
    "date_first_reply",
    "date_last_stage_update",
    "sla_response_time",
    "sla_resolution_time",
)
# Given when the call is recorded; changed afterwards by a manager only (tracked): the
# number, when the call came in, the covering contract and the SLA targets, which
# together move the deadlines. The coverage itself is overridden with
# ``coverage_override``, a manager-only field.
TICKET_MANAGER_FIELDS = (
    "name",
    "date_open",
    "contract_id",
    "contract_line_id",
    "sla_response_hours",
    "sla_resolution_hours",
)


class AftersalesTicket(models.Model):
    """Who may write what on a ticket, whatever the channel (web client, JSON-RPC)."""

    _inherit = "aftersales.ticket"

    can_override = fields.Boolean(
        string="May Change Coverage and SLA",
        compute="_compute_can_override",
        help="The current user may change the coverage and the SLA of a recorded ticket.",
    )

    @api.depends_context("uid")
    def _compute_can_override(self):
        self.can_override = self.env.user.has_group(MANAGER_GROUP)

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(
            self, vals_list, TICKET_SYSTEM_FIELDS, TICKET_MANAGER_FIELDS, creating=True
        )
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], TICKET_SYSTEM_FIELDS, TICKET_MANAGER_FIELDS)
        return super().write(vals)
