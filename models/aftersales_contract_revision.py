from odoo import fields, models

from .aftersales_contract_renewal import ADJUSTMENT_METHODS


class AftersalesContractRevision(models.Model):
    """One price change at renewal: old price, new price, method and date."""

    _name = "aftersales.contract.revision"
    _inherit = ["aftersales.field.policy"]
    _price_fields = ("old_price", "new_price")
    _description = "Contract Price Revision"
    _order = "date desc, id desc"

    contract_id = fields.Many2one(
        "aftersales.contract", required=True, ondelete="cascade", index=True
    )
    line_id = fields.Many2one("aftersales.contract.line", ondelete="set null")
    previous_contract_id = fields.Many2one("aftersales.contract", string="Previous Term")
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    date = fields.Date(required=True)
    method = fields.Selection(ADJUSTMENT_METHODS, required=True)
    old_price = fields.Float(digits="Product Price")
    new_price = fields.Float(digits="Product Price")
    change_percent = fields.Float(string="Change (%)", compute="_compute_change_percent")
    index_old_value = fields.Float(string="Old Index Value", digits=(16, 4))
    index_new_value = fields.Float(string="New Index Value", digits=(16, 4))

    def _compute_change_percent(self):
        for revision in self:
            old = revision.old_price
            revision.change_percent = (revision.new_price / old - 1) * 100 if old else 0.0
