from odoo import fields, models


class AftersalesContract(models.Model):
    """The tickets a contract covers, for its smart button."""

    _inherit = "aftersales.contract"

    ticket_ids = fields.One2many(
        "aftersales.ticket",
        "contract_id",
        string="Tickets",
        groups="aftersales.group_aftersales_user",
    )
    ticket_count = fields.Integer(
        compute="_compute_ticket_count", groups="aftersales.group_aftersales_user"
    )

    def _compute_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.ticket_count = counts.get(contract, 0)

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_ticket_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id, "create": False}
        return action
