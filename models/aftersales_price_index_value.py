from odoo import api, fields, models


class AftersalesPriceIndexValue(models.Model):
    """The value of a price index for one period (a month, for ISTAT FOI)."""

    _name = "aftersales.price.index.value"
    _description = "Price Index Value"
    _inherit = ["aftersales.field.policy"]
    _order = "index_id, date desc"

    index_id = fields.Many2one(
        "aftersales.price.index", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="index_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Date(string="Period Start", required=True)
    value = fields.Float(required=True, digits=(16, 4))

    _value_positive = models.Constraint(
        "CHECK (value > 0)", "An index value must be greater than zero."
    )
    _period_unique = models.Constraint(
        "UNIQUE (index_id, date)", "An index has one value per period."
    )

    @api.depends("index_id", "date", "value")
    def _compute_display_name(self):
        for value in self:
            value.display_name = f"{value.index_id.name} {value.date}: {value.value}"
