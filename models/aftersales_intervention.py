from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_field_policy import system_writes

INTERVENTION_TYPES = [
    ("corrective", "Corrective"),
    ("preventive", "Preventive"),
    ("installation", "Installation"),
    ("remote", "Remote"),
    ("lab", "Lab"),
]

INTERVENTION_STATES = [
    ("draft", "To Plan"),
    ("planned", "Planned"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]


class AftersalesIntervention(models.Model):
    """A visit, a remote session or a lab job, for a ticket or a contract.

    The intervention records who goes, when and with which vehicle, and links to the
    standard records of what was done: timesheet lines for labour (through its time
    entries), stock moves on real pickings for materials, a purchase order for a
    subcontractor and fleet odometer readings for kilometres. It never keeps a private
    copy of a cost. Its coverage comes from ``aftersales.coverage.mixin``, the code that
    tickets use, or from the ticket it serves.

    Its concerns live in their own files, in the order ``models/__init__.py`` imports
    them (which no behaviour depends on: finishing is ``_finish_steps`` below):

    - ``aftersales_intervention.py``: fields, numbering, states, the finish pipeline,
      preventive visits' link to their contract line;
    - ``_worksheet.py``: timers, work done, the signature and the service report;
    - ``_planning.py``: planned dates, technicians, bookings, planned against executed;
    - ``_stock.py``: materials from the van, pick-ups, scraps, replaced serials;
    - ``_purchase.py``: the subcontractor's purchase order;
    - ``_fleet.py``: vehicle and odometer;
    - ``_costing.py``: charges, coverage and hour banks, margins;
      ``_costing_lines.py``: the charge lines of each kind of work;
      ``_estimate.py``: the quotation's estimate against the actuals;
    - ``_billing.py``: sale orders; ``_invoicing.py``: invoices and their cron;
      ``_cancel.py``: cancelling done work.
    """

    _name = "aftersales.intervention"
    _description = "Intervention"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "hr.mixin",
        "aftersales.coverage.mixin",
        "aftersales.field.policy",
        "aftersales.numbering.mixin",
        "aftersales.cron.mixin",
    ]
    _order = "date_planned_start desc, id desc"
    _check_company_auto = True
    _sequence_code = "aftersales.intervention"
    _coverage_date_field = "date_planned_start"
    # Numbered, moved through its buttons (which stamp when it started and finished),
    # signed through the signature, and what its costing sums or an hour bank paid.
    _system_fields = (
        "name",
        "state",
        "date_start",
        "date_end",
        "signed_on",
        "signed_report_pending",
        "coverage_auto",
        "coverage_kind",
        "hour_bank_request",
        "charge_amount",
        "charge_covered_amount",
        "charge_customer_amount",
        "cost_time",
        "cost_travel",
        "cost_materials",
        "cost_expenses",
        "cost_subcontract",
        "cost_total",
        "revenue",
        "margin",
        "margin_percent",
        "technician_count",
    )
    # Given when the intervention is planned (or from its ticket), changed afterwards by
    # a manager only: who pays follows from them.
    _manager_fields = ("contract_id", "contract_line_id")
    # What the customer is charged; its costs and margin are the company's (MONEY_GROUPS).
    _price_fields = ("charge_amount", "charge_covered_amount", "charge_customer_amount")

    name = fields.Char(
        string="Number", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    summary = fields.Char(required=True, tracking=True)
    intervention_type = fields.Selection(
        INTERVENTION_TYPES, string="Type", required=True, default="corrective", tracking=True
    )
    state = fields.Selection(
        INTERVENTION_STATES,
        readonly=True,
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand=True,
    )
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
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
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site",
        compute="_compute_site_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="Where the work is done: the customer's delivery address by default.",
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket", index="btree_not_null", tracking=True, check_company=True
    )
    team_id = fields.Many2one(
        "aftersales.team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
        help="The machine whose coverage applies.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Serials",
        check_company=True,
        help="Every machine the intervention concerns (a preventive visit may cover several).",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Equipment",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
    )
    employee_ids = fields.Many2many(
        "hr.employee",
        string="Technicians",
        check_company=True,
        tracking=True,
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Technician Users",
        compute="_compute_user_ids",
        store=True,
        help="The users of the technicians, for access rules and activities.",
    )
    technician_count = fields.Integer(
        compute="_compute_technician_count",
        store=True,
        help="How many technicians share the intervention: the profitability report splits"
        " its figures between them without counting the link table.",
    )
    subcontractor_id = fields.Many2one(
        "res.partner",
        check_company=True,
        tracking=True,
        help="A vendor doing the work instead of, or with, the technicians.",
    )
    vehicle_id = fields.Many2one(
        "fleet.vehicle", check_company=True, tracking=True, index="btree_not_null"
    )
    date_planned_start = fields.Datetime(string="Planned Start", tracking=True, index=True)
    date_planned_end = fields.Datetime(string="Planned End", tracking=True)
    planned_hours = fields.Float(compute="_compute_planned_hours", store=True)
    date_start = fields.Datetime(string="Started", copy=False, tracking=True)
    date_end = fields.Datetime(string="Finished", copy=False, tracking=True)
    description = fields.Html(string="Work to Do")
    work_done = fields.Html(copy=False)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        check_company=True,
        domain="[('share', '=', False)]",
        tracking=True,
    )

    _planned_dates_check = models.Constraint(
        "CHECK (date_planned_end IS NULL OR date_planned_start IS NULL"
        " OR date_planned_end > date_planned_start)",
        "The planned end of an intervention must be after its planned start.",
    )
    _actual_dates_check = models.Constraint(
        "CHECK (date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
        "An intervention cannot finish before it started.",
    )

    @api.constrains("lot_id", "lot_ids", "partner_id")
    def _check_lot_customer(self):
        return super()._check_lot_customer()

    def _aftersales_customer_lots(self):
        self.ensure_one()
        return self.lot_id | self.lot_ids

    @api.depends("partner_id")
    def _compute_site_partner_id(self):
        for intervention in self:
            intervention.site_partner_id = intervention.partner_id.address_get(["delivery"])[
                "delivery"
            ]

    @api.depends("ticket_id")
    def _compute_team_id(self):
        for intervention in self:
            if intervention.ticket_id.team_id:
                intervention.team_id = intervention.ticket_id.team_id

    @api.depends("lot_id")
    def _compute_product_id(self):
        for intervention in self:
            if intervention.lot_id:
                intervention.product_id = intervention.lot_id.product_id

    @api.depends("employee_ids.user_id")
    def _compute_user_ids(self):
        for intervention in self:
            intervention.user_ids = intervention.employee_ids.user_id

    @api.depends("employee_ids")
    def _compute_technician_count(self):
        for intervention in self:
            intervention.technician_count = len(intervention.employee_ids)

    @api.depends("date_planned_start", "date_planned_end")
    def _compute_planned_hours(self):
        for intervention in self:
            start, end = intervention.date_planned_start, intervention.date_planned_end
            intervention.planned_hours = (
                (end - start).total_seconds() / 3600 if start and end else 0
            )

    @api.depends("ticket_id.coverage_kind", "ticket_id.contract_line_id", "ticket_id.contract_id")
    def _compute_coverage(self):
        """An intervention for a ticket shares the ticket's coverage, manager override
        included; the others look it up like a ticket would."""
        for_ticket = self.filtered("ticket_id")
        for intervention in for_ticket:
            ticket = intervention.ticket_id
            intervention.coverage_auto = ticket.coverage_kind
            intervention.contract_line_id = ticket.contract_line_id
            intervention.contract_id = ticket.contract_id
        return super(AftersalesIntervention, self - for_ticket)._compute_coverage()

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for intervention in self:
            intervention.access_url = f"/my/interventions/{intervention.id}"
        return res

    @api.depends("name", "summary")
    def _compute_display_name(self):
        for intervention in self:
            intervention.display_name = (
                f"{intervention.name} - {intervention.summary}"
                if intervention.summary
                else intervention.name
            )

    @api.model_create_multi
    def create(self, vals_list):
        interventions = super().create(vals_list)
        # Numbered once created: an intervention refused by a check uses no number up.
        interventions.filtered(lambda i: i.name == "/")._assign_numbers()
        return interventions

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(i.state not in ("draft", "cancel") for i in self):
            raise UserError(
                self.env._("Only interventions to plan or cancelled ones can be deleted.")
            )

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------
    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda i: i.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s: intervention %(name)s is %(state)s.",
                    action=action,
                    name=wrong[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        wrong[0].state
                    ],
                )
            )

    def action_plan(self):
        self._check_state(("draft",), self.env._("Plan"))
        missing = self.filtered(
            lambda i: (
                not (i.date_planned_start and i.date_planned_end)
                or not (i.employee_ids or i.subcontractor_id)
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "Intervention %s needs planned dates and a technician or a subcontractor.",
                    missing[0].name,
                )
            )
        with system_writes():
            self.write({"state": "planned"})
        return True

    def action_start(self):
        self._check_state(("draft", "planned"), self.env._("Start"))
        with system_writes():
            self.write({"state": "in_progress", "date_start": fields.Datetime.now()})
        return True

    def action_done(self):
        self._check_state(("in_progress",), self.env._("Finish"))
        self._action_done()
        return True

    # ------------------------------------------------------------------
    # Finishing: one pipeline of named steps, in one transaction. Each concern extends
    # the step it takes part in (calling ``super()`` first), never the pipeline, so
    # that the order of the steps does not depend on the order the files are imported.
    # ------------------------------------------------------------------
    _finish_steps = (
        "_finish_check",
        "_finish_stop_timers",
        "_finish_close",
        "_finish_write_records",
        "_finish_compute_charges",
        "_finish_notify",
    )

    def _action_done(self):
        """Finish ``self`` through ``_finish_steps``, in that order."""
        for step in self._finish_steps:
            getattr(self, step)()

    def _finish_check(self):
        """1. Refuse before anything is written: the signature the team requires
        (worksheet), the materials and pick-ups (stock), the odometer (fleet)."""

    def _finish_stop_timers(self):
        """2. Stop the time entries still running (worksheet)."""

    def _finish_close(self):
        """3. The intervention is done, ended now unless its end was recorded."""
        with system_writes():
            self.filtered(lambda i: not i.date_end).write({"date_end": fields.Datetime.now()})
            self.write({"state": "done"})

    def _finish_write_records(self):
        """4. The standard records of the visit: the delivery and pick-up pickings,
        scraps and replaced serials (stock), the odometer readings (fleet). Timesheets
        and purchase orders are written as the work is recorded."""

    def _finish_compute_charges(self):
        """5. The charge lines, from the records above (costing); hour banks are drawn
        here."""

    def _finish_notify(self):
        """6. The call's internal followers (its help desk agent, the team) learn on
        the ticket that the visit is finished, as an internal note."""
        # sudo: a technician finishes the visit of a call he may not read in full
        for intervention in self.sudo().filtered("ticket_id"):
            intervention.ticket_id.message_post(
                body=self.env._(
                    "Intervention %(name)s finished: %(summary)s",
                    name=intervention.name,
                    summary=intervention.summary,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_cancel(self):
        self._check_state(("draft", "planned", "in_progress"), self.env._("Cancel"))
        with system_writes():
            self.write({"state": "cancel"})
        return True

    def action_draft(self):
        self._check_state(("cancel", "planned"), self.env._("Reset"))
        with system_writes():
            self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------
    # A preventive visit knows its contract line, contract year and number in the year
    # (see ``aftersales_contract_preventive.py``).
    # ------------------------------------------------------------------

    preventive_line_id = fields.Many2one(
        "aftersales.contract.line",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )
    preventive_contract_id = fields.Many2one(
        related="preventive_line_id.contract_id",
        string="Preventive Contract",
        store=True,
        index="btree_not_null",
    )
    preventive_year_start = fields.Date(
        string="Contract Year", readonly=True, copy=False, help="Start of the contract year."
    )
    preventive_index = fields.Integer(string="Visit Number", readonly=True, copy=False)

    # Generating twice, or concurrently, never makes a second copy of a visit.
    _preventive_unique = models.UniqueIndex(
        "(preventive_line_id, preventive_year_start, preventive_index)"
        " WHERE (preventive_line_id IS NOT NULL AND state != 'cancel')",
        "This preventive visit of the contract year exists already.",
    )
