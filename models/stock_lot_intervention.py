from odoo import fields, models


class StockLot(models.Model):
    """Serials replaced during interventions: the link between the old and the new one."""

    _inherit = "stock.lot"

    aftersales_replaced_by_id = fields.Many2one(
        "stock.lot",
        string="Replaced By",
        copy=False,
        readonly=True,
        tracking=True,
        help="The serial that took this one's place at the customer's, with its contract "
        "lines and warranty.",
    )
    aftersales_replaces_id = fields.Many2one(
        "stock.lot",
        string="Replaces",
        copy=False,
        readonly=True,
        tracking=True,
    )
