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

    def _copy_data_extend_business_fields(self, values):
        # a credit note's line keeps the contract line of the line it reverses, so that
        # the contract's fees are net of it
        res = super()._copy_data_extend_business_fields(values)
        values["aftersales_contract_line_id"] = self.aftersales_contract_line_id.id
        return res

    def _sale_can_be_reinvoice(self):
        """The journal items of an expense linked to an intervention are never
        re-invoiced on a sale order through their analytic distribution (the contract's):
        the intervention's expense charge line re-invoices the expense, once."""
        # sudo: whoever posts the expense (an accountant) may not read interventions
        if self.expense_id.sudo().aftersales_intervention_id:
            return False
        return super()._sale_can_be_reinvoice()
