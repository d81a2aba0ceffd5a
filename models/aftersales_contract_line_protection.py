from odoo import api, models

from .aftersales_system_fields import check_system_fields

# The contract's company, customer and state copied on the line (writing them would
# write the contract through the related field), the amount, and the coverage period.
CONTRACT_LINE_SYSTEM_FIELDS = (
    "company_id",
    "partner_id",
    "contract_state",
    "price_subtotal",
    "coverage_date_start",
    "coverage_date_end",
)


class AftersalesContractLine(models.Model):
    """Fields a contract line copies from its contract or computes are written by the
    system only."""

    _inherit = "aftersales.contract.line"

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, CONTRACT_LINE_SYSTEM_FIELDS, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], CONTRACT_LINE_SYSTEM_FIELDS)
        return super().write(vals)
