from odoo import fields, models


class SaleOrder(models.Model):
    """Quotations made from help desk tickets."""

    _inherit = "sale.order"

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
