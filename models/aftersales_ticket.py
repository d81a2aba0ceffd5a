import contextlib
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .aftersales_field_policy import system_writes

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent"), ("3", "Critical")]

CHANNELS = [("phone", "Phone"), ("email", "E-mail"), ("portal", "Portal"), ("web", "Web")]

# Default priority from the covering line's response time (working hours).
PRIORITY_BY_RESPONSE = [(4.0, "3"), (8.0, "2"), (24.0, "1")]


class AftersalesTicket(models.Model):
    """A customer's call: which machine, what covers it, how urgent, who handles it.

    Concerns live in their own files: coverage resolution in
    ``aftersales_ticket.py``, deadlines and the breach cron in
    ``aftersales_ticket_sla.py``, e-mail intake and notifications in
    ``aftersales_ticket_intake.py``, quotations, returns and repairs in
    ``aftersales_ticket_actions.py``.

    Every channel (web client, e-mail, portal, external API) goes through ``create``:
    the coverage, SLA, stage and technician are computed there in batch.
    """

    _name = "aftersales.ticket"
    _description = "Help Desk Ticket"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "aftersales.coverage.mixin",
        "aftersales.field.policy",
        "aftersales.numbering.mixin",
    ]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _sequence_code = "aftersales.ticket"
    _mail_post_access = "read"
    _primary_email = "partner_email"
    # Stamped by the help desk itself: the number, coverage found, deadlines, SLA status
    # and the dates that drive it.
    _system_fields = (
        "name",
        "commercial_partner_id",
        "is_closed",
        "coverage_auto",
        "coverage_kind",
        "is_coverage_overridden",
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_response_risk_date",
        "sla_resolution_risk_date",
        "sla_status",
        "sla_paused_hours",
        "sla_paused_since",
        "date_closed",
        "date_first_reply",
        "date_last_stage_update",
        "sla_response_time",
        "sla_resolution_time",
    )
    # Given when the call is recorded, changed afterwards by a manager only (tracked):
    # when the call came in, the covering contract and the SLA targets, which together
    # move the deadlines. The coverage itself is the manager-only ``coverage_override``.
    _manager_fields = (
        "date_open",
        "contract_id",
        "contract_line_id",
        "sla_response_hours",
        "sla_resolution_hours",
    )

    name = fields.Char(
        string="Number", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    # trigram: the search view's Ticket field matches the number or the subject
    subject = fields.Char(required=True, tracking=True, index="trigram")
    description = fields.Html()
    channel = fields.Selection(CHANNELS, required=True, default="web")
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, precompute=True
    )
    contact_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="The person who called or wrote.",
    )
    partner_email = fields.Char(
        string="E-mail",
        compute="_compute_partner_email",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_phone = fields.Char(related="contact_id.phone", string="Phone")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Equipment",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
    )
    date_open = fields.Datetime(
        string="Received",
        tracking=True,
        required=True,
        default=fields.Datetime.now,
        copy=False,
        help="When the call came in: the SLA clock starts here.",
    )
    team_id = fields.Many2one(
        "aftersales.team",
        index=True,
        tracking=True,
        check_company=True,
        default=lambda self: self._default_team_id(),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
    )
    stage_id = fields.Many2one(
        "aftersales.ticket.stage",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', team_id)]",
    )
    is_closed = fields.Boolean(
        related="stage_id.is_closing", store=True, index=True, precompute=True
    )
    stage_paused = fields.Boolean(related="stage_id.sla_paused")
    priority = fields.Selection(
        PRIORITIES,
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    date_first_reply = fields.Datetime(
        string="First Reply", readonly=True, copy=False, help="First answer to the customer."
    )
    date_last_stage_update = fields.Datetime(
        string="Last Stage Update", readonly=True, copy=False, default=fields.Datetime.now
    )

    # the list's order: the first page of a million tickets without a filter reads 80
    # index entries instead of sorting the table (issue 11, README "A million tickets")
    _order_idx = models.Index("(priority DESC, id DESC)")

    @api.model
    def _default_team_id(self):
        team_id = self.env.context.get("default_team_id")
        if team_id:
            return self.env["aftersales.team"].browse(team_id)
        Team = self.env["aftersales.team"]
        company = self.env.company
        domain = Domain("company_id", "=", company.id)
        # a portal user is never a team's member (aftersales.team's member check)
        mine = (
            Team
            if self.env.user.share
            else Team.search(domain & (Domain("member_ids", "in", self.env.uid)), limit=1)
        )
        return mine or Team.search(domain, limit=1)

    @api.depends("team_id")
    def _compute_company_id(self):
        for ticket in self:
            ticket.company_id = ticket.team_id.company_id or ticket.company_id or self.env.company

    @api.depends("contact_id", "partner_id")
    def _compute_partner_email(self):
        for ticket in self:
            ticket.partner_email = (ticket.contact_id or ticket.partner_id).email

    @api.depends("lot_id")
    def _compute_product_id(self):
        for ticket in self:
            ticket.product_id = ticket.lot_id.product_id or ticket.product_id

    @api.depends("team_id")
    def _compute_stage_id(self):
        """The team's first stage, unless the current one is also the team's."""
        Stage = self.env["aftersales.ticket.stage"]
        shared = None
        for ticket in self:
            stages = ticket.team_id.stage_ids
            if not stages:
                if shared is None:
                    shared = Stage.search([], limit=1)
                stages = shared
            if not (ticket.stage_id and (ticket.stage_id in stages or not ticket.team_id)):
                ticket.stage_id = stages.sorted()[:1]
            else:
                ticket.stage_id = ticket.stage_id

    @api.depends("team_id")
    def _compute_user_id(self):
        """The team member with the fewest open tickets; counted once per batch."""
        todo = self.filtered(
            lambda t: t.team_id.member_ids and t.user_id not in t.team_id.member_ids
        )
        for ticket in self - todo:
            ticket.user_id = ticket.user_id
        if not todo:
            return
        load = defaultdict(int)
        groups = (
            self.env["aftersales.ticket"]
            .sudo()  # sudo: the load of colleagues' tickets is counted, not shown
            ._read_group(
                [
                    ("team_id", "in", todo.team_id.ids),
                    ("is_closed", "=", False),
                    ("user_id", "!=", False),
                ],
                ["team_id", "user_id"],
                ["__count"],
            )
        )
        for team, user, count in groups:
            load[team.id, user.id] = count
        for ticket in todo:
            team = ticket.team_id
            user = min(team.member_ids, key=lambda u, t=team: (load[t.id, u.id], u.id))
            load[team.id, user.id] += 1
            ticket.user_id = user

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Every column of the team being looked at, or of all teams, even when empty."""
        team_id = self.env.context.get("default_team_id")
        search_domain = Domain("id", "in", stages.ids)
        if team_id:
            search_domain |= Domain("team_ids", "in", team_id) | Domain("team_ids", "=", False)
        else:
            search_domain = Domain.TRUE
        return stages.search(search_domain, order=stages._order)

    @api.depends("name", "subject")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = (
                f"{ticket.name} - {ticket.subject}" if ticket.subject else ticket.name
            )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Followers are the customer's contact and the technician (through the to-do),
        # not whoever typed the call in.
        tickets = super(AftersalesTicket, self.with_context(mail_create_nosubscribe=True)).create(
            vals_list
        )
        tickets = tickets.with_env(self.env)
        # Numbered once created: a ticket refused by a check uses no number up (the
        # sequence's numbers are not given back by a rollback).
        tickets.filtered(lambda t: t.name == "/")._assign_numbers()
        tickets._schedule_technician_activity()
        tickets._send_receipt()
        return tickets

    def write(self, vals):
        stamped = ()
        if "stage_id" in vals:
            stamped = ("date_last_stage_update",)
            self._before_stage_change(self.env["aftersales.ticket.stage"].browse(vals["stage_id"]))
            vals = dict(vals, date_last_stage_update=fields.Datetime.now())
        # a new team may also mean a new technician (recomputed from the team)
        reassigning = "user_id" in vals or "team_id" in vals
        previous_users = {ticket: ticket.user_id for ticket in self} if reassigning else {}
        with system_writes(*stamped) if stamped else contextlib.nullcontext():
            res = super().write(vals)
        if previous_users:
            reassigned = self.filtered(lambda t: t.user_id and t.user_id != previous_users[t])
            reassigned._schedule_technician_activity()
        return res

    def _before_stage_change(self, stage):
        """Book the SLA pause and the closing date of a stage change, in batch."""
        now = fields.Datetime.now()
        moving = self.filtered(lambda t: t.stage_id != stage)
        resumed = moving.filtered(lambda t: t.sla_paused_since and not stage.sla_paused)
        resumed._sla_resume(now)
        # sudo: the pause and the closing date are system fields, stamped here only
        system = moving.sudo()
        if stage.sla_paused:
            system.filtered(lambda t: not t.sla_paused_since).write({"sla_paused_since": now})
        if stage.is_closing:
            system.filtered(lambda t: not t.is_closed).write({"date_closed": now})
        else:
            system.filtered("date_closed").write({"date_closed": False})

    @api.ondelete(at_uninstall=False)
    def _unlink_except_linked(self):
        # sudo: the documents exist whether or not this user's apps show them
        for ticket in self.sudo():
            if ticket.sale_order_ids or ticket.picking_ids or ticket.repair_ids:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s has quotations, returns or repairs: archive it "
                        "instead of deleting it.",
                        ticket=ticket.name,
                    )
                )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    # the serial's customer: _check_lot_customer of aftersales.coverage.mixin

    # ------------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------------
    def _schedule_technician_activity(self):
        """One to-do for the assigned technician of each ticket, created in one batch."""
        tickets = self.filtered(lambda t: t.user_id and t.team_id.notify_technician)
        if not tickets:
            return
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            # sudo: whoever opens a ticket (portal, e-mail) schedules the technician's to-do
            # in the technician's language: the text is stored as written
            tickets._prepare_activity_vals_list(
                "user_id",
                lambda t: self.with_context(lang=t.user_id.sudo().lang).env._(
                    "New ticket %(ticket)s", ticket=t.name
                ),
            )
        )

    def _prepare_activity_vals_list(self, user_field, summary):
        """To-do values for each ticket of self, for the user in ``user_field`` (a path
        from the ticket), without per-record look-ups."""
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        return [
            {
                "res_model_id": model_id,
                "res_model": self._name,
                "res_id": ticket.id,
                "res_name": ticket.display_name,
                "activity_type_id": activity_type_id,
                "user_id": ticket.mapped(user_field).id,
                "summary": summary(ticket),
                "date_deadline": today,
            }
            for ticket in self
        ]

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        return True

    # ------------------------------------------------------------------
    # Coverage of a call: the look-up itself is ``aftersales.coverage.mixin``, shared
    # with interventions; a call is dated by when it came in (``_coverage_date_field``), and
    # its coverage sets its default priority.
    # ------------------------------------------------------------------

    @api.depends("contract_line_id.response_hours", "lot_id.aftersales_criticality")
    def _compute_priority(self):
        for ticket in self:
            priority = "0"
            hours = ticket.contract_line_id.response_hours
            if ticket.contract_line_id and hours:
                priority = next((p for limit, p in PRIORITY_BY_RESPONSE if hours <= limit), "0")
            ticket.priority = max(priority, ticket.lot_id.aftersales_criticality or "0")

    # ------------------------------------------------------------------
    # The interventions planned for a call.
    # ------------------------------------------------------------------

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
