from odoo import fields, models


class PurchaseOrder(models.Model):
    """Subcontracted interventions."""

    _inherit = "purchase.order"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        copy=False,
        index="btree_not_null",
        readonly=True,
    )
