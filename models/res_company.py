from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_invoice_post = fields.Boolean(
        string="Post Contract Invoices",
        help="Post the invoices made by the contract invoicing run instead of leaving them "
        "as drafts.",
    )
    aftersales_vehicle_cost_per_km = fields.Monetary(
        string="Vehicle Cost per km",
        currency_field="currency_id",
        help="Running cost of a kilometre for vehicles without a cost of their own.",
    )

    _aftersales_vehicle_cost_positive = models.Constraint(
        "CHECK (aftersales_vehicle_cost_per_km >= 0)", "A cost per km cannot be negative."
    )
