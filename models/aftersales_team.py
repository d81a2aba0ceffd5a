from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AftersalesTeam(models.Model):
    """A help desk team: its technicians, working hours, e-mail alias and stages."""

    _name = "aftersales.team"
    _description = "Help Desk Team"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "mail.alias.mixin",
        "aftersales.field.policy",
    ]
    _order = "sequence, id"
    _check_company_auto = True

    def _default_stage_ids(self):
        return self.env["aftersales.ticket.stage"].search([])

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        check_company=True,
        domain="[('share', '=', False)]",
        tracking=True,
        help="Receives an activity when tickets of the team breach their SLA.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "aftersales_team_member_rel",
        "team_id",
        "user_id",
        string="Technicians",
        check_company=True,
        domain="[('share', '=', False)]",
        help="New tickets go to the technician with the fewest open tickets.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="SLA deadlines count only these hours, without public holidays and leaves.",
    )
    stage_ids = fields.Many2many(
        "aftersales.ticket.stage",
        "aftersales_team_stage_rel",
        "team_id",
        "stage_id",
        string="Stages",
        default=_default_stage_ids,
    )
    notify_receipt = fields.Boolean(
        string="Send a Receipt", default=True, help="E-mail the customer when a ticket opens."
    )
    notify_stage = fields.Boolean(
        string="Send Stage Messages",
        default=True,
        help="E-mail the customer when a ticket reaches a stage with an e-mail template.",
    )
    notify_technician = fields.Boolean(
        string="Activity for the Technician",
        default=True,
        help="Schedule an activity for the technician a ticket is assigned to.",
    )
    unknown_sender = fields.Selection(
        [("create", "Create a contact"), ("reject", "Reject and keep on the team")],
        string="Unknown Senders",
        required=True,
        default="create",
        help="E-mail from an address that matches no contact either opens a ticket for a "
        "new contact, or is answered with a rejection and kept in the team's chatter.",
    )
    response_hours = fields.Float(
        string="Default Response Time (h)",
        help="Working hours to respond when no contract line sets a service level.",
    )
    resolution_hours = fields.Float(
        string="Default Resolution Time (h)",
        help="Working hours to resolve when no contract line sets a service level.",
    )
    callout_product_id = fields.Many2one(
        "product.product",
        string="Call-out Fee",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        help="Product of the call-out fee on quotations made from tickets.",
    )
    labour_product_id = fields.Many2one(
        "product.product",
        string="Labour",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        help="Product of the hourly labour on quotations made from tickets.",
    )
    labour_hours = fields.Float(string="Estimated Labour (h)", default=1.0)
    return_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Repair or quarantine location receiving the defective serials sent back.",
    )
    ticket_ids = fields.One2many("aftersales.ticket", "team_id", string="Tickets")
    open_ticket_count = fields.Integer(string="Open Tickets", compute="_compute_ticket_counts")
    at_risk_ticket_count = fields.Integer(
        string="Tickets at Risk", compute="_compute_ticket_counts"
    )
    breached_ticket_count = fields.Integer(
        string="Breached Tickets", compute="_compute_ticket_counts"
    )

    _sla_positive = models.Constraint(
        "CHECK (response_hours >= 0 AND resolution_hours >= 0 AND labour_hours >= 0)",
        "Service-level targets and estimated hours cannot be negative.",
    )

    def _compute_ticket_counts(self):
        groups = self.env["aftersales.ticket"]._read_group(
            [("team_id", "in", self.ids), ("is_closed", "=", False)],
            ["team_id", "sla_status"],
            ["__count"],
        )
        counts = {}
        for team, status, count in groups:
            counts.setdefault(team, {}).setdefault(status, 0)
            counts[team][status] += count
        for team in self:
            by_status = counts.get(team, {})
            team.open_ticket_count = sum(by_status.values())
            team.at_risk_ticket_count = by_status.get("at_risk", 0)
            team.breached_ticket_count = by_status.get("breached", 0)

    @api.constrains("leader_id", "member_ids")
    def _check_members_internal(self):
        for team in self:
            if (team.member_ids | team.leader_id).filtered("share"):
                raise ValidationError(
                    self.env._("Team %(team)s: portal users cannot be technicians.", team=team.name)
                )

    def _creation_message(self):
        """In the company's language, whoever creates the team (an install, an import)."""
        lang = (self.company_id or self.env.company)._aftersales_lang()
        return super(AftersalesTeam, self.with_context(lang=lang))._creation_message()

    def _prepare_breach_activity_vals(self, activity_type, summary):
        """The leader's to-do for the team's tickets past their SLA deadline."""
        self.ensure_one()
        return {
            "res_model_id": self.env["ir.model"]._get_id("aftersales.team"),
            "res_model": "aftersales.team",
            "res_id": self.id,
            "res_name": self.display_name,
            "activity_type_id": activity_type.id,
            "user_id": self.leader_id.id,
            "summary": summary,
            "note": self.with_context(lang=self.leader_id.lang).env._(
                "Open the team's tickets with the Breached filter."
            ),
            "date_deadline": fields.Date.context_today(self),
        }

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("aftersales.ticket")
        if self.id:
            values["alias_defaults"] = {"team_id": self.id, "company_id": self.company_id.id}
        return values

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_ticket_action"
        )
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_open": 1}
        return action

    def action_view_breached_tickets(self):
        action = self.action_view_tickets()
        action["context"] = dict(action["context"], search_default_breached=1)
        return action

    def _aftersales_reject_mail(self, msg_dict):
        """Keep an e-mail from an unknown sender on the team and tell the sender why no
        ticket was opened; the message is never lost."""
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "E-mail from unknown sender %(sender)s kept here: no ticket was opened.",
                sender=msg_dict.get("email_from") or "?",
            ),
            subtype_xmlid="mail.mt_note",
        )
        if msg_dict.get("email_from"):
            self.env["mail.mail"].sudo().create(
                {
                    # sudo: the mail gateway user may not create outgoing mails
                    "email_to": msg_dict["email_from"],
                    "subject": self.env._("Re: %(subject)s", subject=msg_dict.get("subject", "")),
                    "body_html": self.env._(
                        "<p>We could not match your address to one of our customers, so no "
                        "ticket was opened. Please call us or write from the address we know "
                        "you by.</p>"
                    ),
                    "auto_delete": True,
                }
            )
        return self

    # ------------------------------------------------------------------
    # What a help desk team sets for its interventions: the project its technicians'
    # timesheets go to, and whether a visit closes only with the customer's signature.
    # ------------------------------------------------------------------

    project_id = fields.Many2one(
        "project.project",
        string="Timesheet Project",
        check_company=True,
        domain="[('allow_timesheets', '=', True)]",
        help="The technicians' intervention hours are timesheets of this project; one is "
        "created for the team when it has none.",
    )
    signature_required = fields.Boolean(
        help="An intervention of this team is finished only once the customer has signed "
        "its service report.",
    )

    @api.model
    def _prepare_project_vals(self, name, company):
        return {
            "name": name,
            "allow_timesheets": True,
            "company_id": company.id,
            "privacy_visibility": "followers",
        }

    def _ensure_project(self):
        """The team's timesheet project, created when missing (as a system record)."""
        missing = self.filtered(lambda t: not t.project_id)
        if missing:
            projects = (
                self.env["project.project"]
                .sudo()
                .create(
                    [
                        self._prepare_project_vals(
                            self.env._("Interventions - %s", team.name), team.company_id
                        )
                        for team in missing
                    ]
                )
            )
            for team, project in zip(missing, projects, strict=True):
                team.sudo().project_id = project
        return self.project_id
