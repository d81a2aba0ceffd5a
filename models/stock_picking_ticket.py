from odoo import fields, models


class StockPicking(models.Model):
    """Material returns of help desk tickets."""

    _inherit = "stock.picking"

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
    aftersales_under_warranty = fields.Boolean(
        string="Return Under Warranty",
        copy=False,
        help="Set from the ticket's coverage: ticked when the return is free of charge.",
    )
