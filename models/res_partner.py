from odoo import fields, models


class ResPartner(models.Model):
    """The tickets of a customer's commercial entity."""

    _inherit = "res.partner"

    aftersales_ticket_count = fields.Integer(
        string="Ticket Count",
        compute="_compute_aftersales_ticket_count",
        groups="aftersales.group_aftersales_user",
    )
    aftersales_rate_card_id = fields.Many2one(
        "aftersales.rate.card",
        string="Service Rate Card",
        company_dependent=True,
        check_company=True,
        groups="aftersales.group_aftersales_user",
        help="Prices the service calls of this customer that their contract does not price.",
    )

    def _compute_aftersales_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.aftersales_ticket_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_ticket_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
