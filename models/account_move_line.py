from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    aftersales_contract_line_id = fields.Many2one(
        "aftersales.contract.line",
        string="Contract Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
