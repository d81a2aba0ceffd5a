from odoo import api, models

from .aftersales_system_fields import check_system_fields

# Summed from the charge lines, or the record of what an hour bank paid: the system's.
INTERVENTION_SYSTEM_FIELDS = (
    "hour_bank_request",
    "charge_amount",
    "charge_covered_amount",
    "charge_customer_amount",
    "cost_time",
    "cost_travel",
    "cost_materials",
    "cost_expenses",
    "cost_subcontract",
    "cost_total",
    "revenue",
    "margin",
    "margin_percent",
    "technician_count",
)


class AftersalesIntervention(models.Model):
    """Who may write what on an intervention's costing, whatever the channel."""

    _inherit = "aftersales.intervention"

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, INTERVENTION_SYSTEM_FIELDS, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], INTERVENTION_SYSTEM_FIELDS)
        return super().write(vals)
