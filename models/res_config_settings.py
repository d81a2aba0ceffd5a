from odoo import fields, models

from .aftersales_field_policy import MONEY_GROUPS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_invoice_post = fields.Boolean(
        related="company_id.aftersales_invoice_post", readonly=False
    )
    aftersales_vehicle_cost_per_km = fields.Monetary(
        related="company_id.aftersales_vehicle_cost_per_km",
        currency_field="company_currency_id",
        readonly=False,
        groups=MONEY_GROUPS,
    )
    aftersales_van_negative_stock = fields.Boolean(
        related="company_id.aftersales_van_negative_stock", readonly=False
    )
    aftersales_time_entry_max_hours = fields.Float(
        related="company_id.aftersales_time_entry_max_hours", readonly=False
    )
    aftersales_subcontract_product_id = fields.Many2one(
        related="company_id.aftersales_subcontract_product_id", readonly=False
    )
