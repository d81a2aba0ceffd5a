from odoo import api, fields, models


class AftersalesTicket(models.Model):
    """The interventions planned for a call."""

    _inherit = "aftersales.ticket"

    intervention_ids = fields.One2many(
        "aftersales.intervention", "ticket_id", string="Interventions"
    )
    intervention_count = fields.Integer(compute="_compute_intervention_count")

    @api.depends("intervention_ids")
    def _compute_intervention_count(self):
        counts = dict(
            self.env["aftersales.intervention"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.intervention_count = counts.get(ticket, 0)

    def action_plan_intervention(self):
        interventions = self.env["aftersales.intervention"].create(
            [ticket._prepare_intervention_vals() for ticket in self]
        )
        return self._open_records(interventions, self.env._("Interventions"))

    def action_view_interventions(self):
        return self._open_records(self.intervention_ids, self.env._("Interventions"))
