from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_invoice_post = fields.Boolean(
        related="company_id.aftersales_invoice_post", readonly=False
    )
