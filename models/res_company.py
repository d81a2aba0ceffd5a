from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_invoice_post = fields.Boolean(
        string="Post Contract Invoices",
        help="Post the invoices made by the contract invoicing run instead of leaving them "
        "as drafts.",
    )
