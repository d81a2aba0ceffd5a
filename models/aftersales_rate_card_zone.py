from odoo import fields, models


class AftersalesRateCardZone(models.Model):
    """A travel zone of a rate card: a trip up to ``max_km`` km costs ``price``."""

    _name = "aftersales.rate.card.zone"
    _inherit = ["aftersales.field.policy"]
    _price_fields = ("price",)
    _description = "Rate Card Travel Zone"
    _order = "rate_card_id, max_km, id"

    rate_card_id = fields.Many2one(
        "aftersales.rate.card", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="rate_card_id.company_id", store=True, index=True, precompute=True
    )
    name = fields.Char(required=True, translate=True)
    max_km = fields.Float(string="Up to (km)", required=True)
    currency_id = fields.Many2one(related="rate_card_id.currency_id")
    price = fields.Monetary(required=True)

    _zone_positive = models.Constraint(
        "CHECK (max_km > 0 AND price >= 0)",
        "A travel zone needs a distance above 0 km and a price that is not negative.",
    )
    _zone_unique = models.UniqueIndex(
        "(rate_card_id, max_km)", "Two travel zones of a rate card cannot end at the same distance."
    )
