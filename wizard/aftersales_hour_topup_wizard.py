from odoo import fields, models


class AftersalesHourTopupWizard(models.TransientModel):
    """A manager adds hours to an hour bank (a gift, a sale outside Odoo, a correction)."""

    _name = "aftersales.hour.topup.wizard"
    _description = "Add Hours to an Hour Bank"

    contract_id = fields.Many2one("aftersales.contract", string="Hour Bank", required=True)
    hours = fields.Float(required=True)
    name = fields.Char(string="Reason", required=True)

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._hour_bank_top_up(self.hours, kind="topup", name=self.name)
        return {"type": "ir.actions.act_window_close"}
