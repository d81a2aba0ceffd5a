from odoo import fields, models

from .aftersales_ticket import PRIORITIES


class StockLot(models.Model):
    """The help desk side of a serial: its criticality and its tickets."""

    _inherit = "stock.lot"

    aftersales_criticality = fields.Selection(
        PRIORITIES,
        string="Criticality",
        default="0",
        help="Raises the priority of this machine's tickets to at least this level.",
    )
    aftersales_ticket_ids = fields.One2many(
        "aftersales.ticket", "lot_id", string="Tickets", groups="aftersales.group_aftersales_user"
    )
    aftersales_ticket_count = fields.Integer(
        string="Ticket Count",
        compute="_compute_aftersales_ticket_count",
        groups="aftersales.group_aftersales_user",
    )

    def _compute_aftersales_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
            )
        )
        for lot in self:
            lot.aftersales_ticket_count = counts.get(lot, 0)

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_ticket_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {
            "default_lot_id": self.id,
            "default_partner_id": self.aftersales_customer_id.id,
        }
        return action
