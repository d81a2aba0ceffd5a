from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_invoice_post = fields.Boolean(
        string="Post Contract Invoices",
        help="Post the invoices made by the contract invoicing run instead of leaving them "
        "as drafts.",
    )
    aftersales_van_negative_stock = fields.Boolean(
        string="Allow Materials Not in the Van",
        help="Finishing an intervention that used more than its van holds is allowed; the "
        "intervention then says which quantities went negative. Otherwise it is refused.",
    )
    aftersales_subcontract_product_id = fields.Many2one(
        "product.product",
        string="Subcontracted Service",
        domain="[('type', '=', 'service'), ('purchase_ok', '=', True)]",
        help="The service bought from a subcontractor on the purchase order of an intervention.",
    )
