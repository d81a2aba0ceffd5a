from odoo import fields, models


class RepairOrder(models.Model):
    """Lab repairs of help desk tickets."""

    _inherit = "repair.order"

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
