from odoo import api, models

from .aftersales_system_fields import check_system_fields

# Computed by the costing (amounts, cost, the bank's move, the hours behind a labour
# line), set by billing (the sale line) or by the adjustment itself (``is_adjusted``).
CHARGE_SYSTEM_FIELDS = (
    "amount",
    "covered_amount",
    "customer_amount",
    "cost",
    "worked_hours",
    "hour_move_id",
    "sale_line_id",
    "is_adjusted",
)


class AftersalesInterventionCharge(models.Model):
    """Who may write what on a charge line, whatever the channel (web client, JSON-RPC):
    a manager adjusts quantity, price and coverage; the system fields are the system's."""

    _inherit = "aftersales.intervention.charge"

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, CHARGE_SYSTEM_FIELDS, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], CHARGE_SYSTEM_FIELDS)
        return super().write(vals)
