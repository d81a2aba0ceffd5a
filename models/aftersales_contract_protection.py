from odoo import api, models

from .aftersales_system_fields import check_storable_text, check_system_fields

CONTRACT_SYSTEM_FIELDS = (
    "commercial_partner_id",
    "amount_untaxed",
    "amount_annual",
    "next_invoice_date",
    "date_notice",
    "hour_bank_used",
    "hour_bank_remaining",
)


class AftersalesContract(models.Model):
    """Computed amounts and dates of a contract are written by the system only."""

    _inherit = "aftersales.contract"

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, CONTRACT_SYSTEM_FIELDS, creating=True)
        check_storable_text(self.env, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], CONTRACT_SYSTEM_FIELDS)
        check_storable_text(self.env, [vals])
        return super().write(vals)
