from odoo import api, fields, models
from odoo.exceptions import UserError


class AftersalesTicketStage(models.Model):
    """A step of a help desk ticket's life: new, in progress, waiting, solved."""

    _name = "aftersales.ticket.stage"
    _description = "Help Desk Stage"
    _inherit = ["aftersales.field.policy"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(string="Folded in Kanban")
    is_closing = fields.Boolean(
        string="Closing Stage",
        help="Reaching this stage closes the ticket: it meets the resolution target and "
        "stops the SLA clock.",
    )
    is_cancelling = fields.Boolean(
        string="Cancels the Ticket",
        help="A closing stage for calls dropped (a duplicate, a mistake): their tickets "
        "count neither as met nor as breached.",
    )
    sla_paused = fields.Boolean(
        string="SLA Paused",
        help="The SLA clock stops while a ticket is in this stage (e.g. waiting for the "
        "customer); the time spent here extends the deadlines.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'aftersales.ticket')]",
        help="Sent to the customer when a ticket reaches this stage, if the team sends "
        "stage messages.",
    )
    team_ids = fields.Many2many(
        "aftersales.team",
        "aftersales_team_stage_rel",
        "stage_id",
        "team_id",
        string="Teams",
        help="Teams using this stage. A stage without team is offered to every team.",
    )
    description = fields.Text(translate=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = (
            self.env["aftersales.ticket"]
            .with_context(active_test=False)
            ._read_group([("stage_id", "in", self.ids)], ["stage_id"])
        )
        if used:
            raise UserError(
                self.env._(
                    "Stage %(stage)s still holds tickets: archive it instead.",
                    stage=used[0][0].name,
                )
            )
