from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_warranty_months = fields.Integer(
        string="Warranty (months)",
        help="Warranty given on each serial from the day it is delivered to the customer.",
    )
    aftersales_contract_template_id = fields.Many2one(
        "aftersales.contract.template",
        string="Service Contract",
        company_dependent=False,
        help="Selling this product makes a service contract from this template.",
    )

    aftersales_warranty_parts = fields.Boolean(
        string="Warranty Covers Parts",
        default=True,
        help="Spare parts of a call on a serial under warranty are not billed.",
    )
    aftersales_warranty_labour = fields.Boolean(
        string="Warranty Covers Labour",
        default=True,
        help="Labour of a call on a serial under warranty is not billed.",
    )
    aftersales_warranty_travel = fields.Boolean(
        string="Warranty Covers Travel",
        help="Travel and call-out fee of a call on a serial under warranty are not billed.",
    )

    _warranty_positive = models.Constraint(
        "CHECK (aftersales_warranty_months >= 0)", "A warranty cannot last a negative time."
    )
