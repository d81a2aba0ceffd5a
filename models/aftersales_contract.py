from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .aftersales_field_policy import system_writes
from .aftersales_input_guard import NAME_TEXT_LIMIT, TERMS_TEXT_LIMIT, check_text_limits

BILLING_PERIODS = [
    ("monthly", "Monthly"),
    ("bimonthly", "Bimonthly"),
    ("quarterly", "Quarterly"),
    ("semiannual", "Semiannual"),
    ("annual", "Annual"),
]

PERIOD_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}


def period_bounds(day, anchor, months, alignment):
    """The natural billing period (start, end) that contains ``day``.

    ``calendar``: the months, quarters, half-years or years of the calendar.
    ``start``: period k runs from ``anchor`` + k x ``months`` to the day before
    ``anchor`` + (k + 1) x ``months``. Each bound is counted from the anchor itself, never
    from the previous period, so a day clipped to a short month's end (31 January + 1 month
    = 28 February) does not shift the periods after it (31 January + 2 months = 31 March).
    """
    if alignment == "calendar":
        start = day.replace(day=1, month=((day.month - 1) // months) * months + 1)
        return start, start + relativedelta(months=months, days=-1)
    k = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    start = anchor + relativedelta(months=k * months)
    if start > day:  # same month as ``day``, but on a later day of it
        k -= 1
        start = anchor + relativedelta(months=k * months)
    return start, anchor + relativedelta(months=(k + 1) * months, days=-1)


def current_period(start, anchor, months, alignment, date_end=None):
    """The period billed from ``start`` (the first day not invoiced): (start, end), where
    end is the end of the natural period containing ``start``, cut at ``date_end``."""
    end = period_bounds(start, anchor, months, alignment)[1]
    if date_end and date_end < end:
        end = date_end
    return start, end


def due_date(start, end, billing_mode):
    """The day the period ``start``..``end`` is due: its first day in advance, its last
    day in arrears."""
    return start if billing_mode == "advance" else end


class AftersalesContract(models.Model):
    """A service contract: what the customer pays (fee lines) and what is covered.

    The commercial side (fee, billing period, payment terms, pricelist) is invoiced by
    ``aftersales_contract_invoicing.py``; renewal and price adjustment live in
    ``aftersales_contract_renewal.py``.
    """

    _name = "aftersales.contract"
    _description = "Service Contract"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "analytic.mixin",
        "aftersales.field.policy",
        "aftersales.numbering.mixin",
        "aftersales.cron.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _sequence_code = "aftersales.contract"
    # Numbered, moved through its buttons, and the amounts, dates and hours computed.
    _system_fields = (
        "name",
        "state",
        "commercial_partner_id",
        "amount_untaxed",
        "amount_annual",
        "next_invoice_date",
        "date_notice",
        "hour_bank_used",
        "hour_bank_remaining",
    )
    # What the customer pays, read by everyone who works the contract (and the customer).
    _price_fields = ("amount_untaxed", "amount_annual", "adjustment_amount")

    name = fields.Char(
        string="Number", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    reference = fields.Char(string="Customer Reference", tracking=True)
    state = fields.Selection(
        [
            ("draft", "Proposal"),
            ("active", "Active"),
            ("closed", "Closed"),
            ("cancel", "Cancelled"),
        ],
        readonly=True,
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
    )
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
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    partner_invoice_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        compute="_compute_partner_invoice_id",
        precompute=True,
        store=True,
        readonly=False,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        check_company=True,
    )
    template_id = fields.Many2one("aftersales.contract.template", check_company=True, tracking=True)
    date_start = fields.Date(
        string="Start Date", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(
        string="End Date", tracking=True, help="Leave empty for an open-ended contract."
    )
    billing_period = fields.Selection(
        BILLING_PERIODS, required=True, default="annual", tracking=True
    )
    billing_mode = fields.Selection(
        [("advance", "In Advance"), ("arrears", "In Arrears")],
        string="Billing",
        required=True,
        default="advance",
        tracking=True,
    )
    period_alignment = fields.Selection(
        [("calendar", "Calendar periods"), ("start", "From the start date")],
        required=True,
        default="calendar",
        help="Calendar periods: months, quarters and years of the calendar, with a pro rata "
        "first period. From the start date: periods run from the contract's anniversary.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Payment Terms", check_company=True, tracking=True
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        compute="_compute_pricelist_id",
        precompute=True,
        store=True,
        readonly=False,
        check_company=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
    )
    fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        check_company=True,
        compute="_compute_fiscal_position_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Maps the taxes of the contract's lines; taken from the customer.",
    )
    rate_card_id = fields.Many2one(
        "aftersales.rate.card",
        check_company=True,
        tracking=True,
        help="Prices the calls under this contract that it does not cover; empty uses the "
        "customer's rate card, then the company's default.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        domain="[('type', '=', 'sale')]",
        check_company=True,
        help="Leave empty to use the company's default sales journal.",
    )
    line_ids = fields.One2many("aftersales.contract.line", "contract_id", string="Lines", copy=True)
    sale_order_id = fields.Many2one(
        "sale.order", copy=False, index="btree_not_null", check_company=True
    )
    origin = fields.Char(string="Source Document", copy=False)
    note = fields.Html(string="Terms and Conditions")
    amount_untaxed = fields.Monetary(
        string="Fee per Period", compute="_compute_amount", store=True, currency_field="currency_id"
    )
    amount_annual = fields.Monetary(
        string="Annual Value",
        compute="_compute_amount",
        store=True,
        currency_field="currency_id",
        help="The fee per period brought to a year, to compare contracts billed on "
        "different periods.",
    )
    lot_count = fields.Integer(string="Serials", compute="_compute_lot_count")

    _date_check = models.Constraint(
        "CHECK (date_end IS NULL OR date_end >= date_start)",
        "The end date of a contract cannot be before its start date.",
    )

    @api.constrains("journal_id", "company_id")
    def _check_journal(self):
        """The fee invoices go to a sales journal of the contract's company, whatever the
        client sends (the field's domain is the web client's only)."""
        for contract in self.filtered("journal_id"):
            journal = contract.journal_id.sudo()
            if journal.type != "sale" or journal.company_id != contract.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: journal %(journal)s is not a sales journal of "
                        "%(company)s. Its customer invoices go to a sales journal only.",
                        contract=contract.name,
                        journal=journal.display_name,
                        company=contract.company_id.name,
                    )
                )

    @api.constrains("reference", "note")
    def _check_printed_text_length(self):
        check_text_limits(self, {"reference": NAME_TEXT_LIMIT, "note": TERMS_TEXT_LIMIT})

    @api.depends("partner_id")
    def _compute_partner_invoice_id(self):
        for contract in self:
            contract.partner_invoice_id = contract.partner_id.address_get(["invoice"])["invoice"]

    @api.depends("partner_id", "company_id")
    def _compute_pricelist_id(self):
        for contract in self:
            if contract.partner_id:
                contract.pricelist_id = contract.partner_id.with_company(
                    contract.company_id
                ).property_product_pricelist

    @api.depends("pricelist_id", "company_id")
    def _compute_currency_id(self):
        for contract in self:
            contract.currency_id = (
                contract.pricelist_id.currency_id or contract.company_id.currency_id
            )

    @api.depends("partner_id", "company_id")
    def _compute_fiscal_position_id(self):
        for contract in self:
            if contract.partner_id:
                contract.fiscal_position_id = (
                    self.env["account.fiscal.position"]
                    .with_company(contract.company_id)
                    ._get_fiscal_position(contract.partner_id)
                )

    @api.depends("line_ids.price_subtotal", "billing_period")
    def _compute_amount(self):
        for contract in self:
            contract.amount_untaxed = sum(contract.line_ids.mapped("price_subtotal"))
            contract.amount_annual = (
                contract.amount_untaxed * 12 / PERIOD_MONTHS[contract.billing_period]
            )

    def _compute_lot_count(self):
        for contract in self:
            contract.lot_count = len(contract.line_ids.lot_id)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"
        return res

    def _creation_message(self):
        """In the company's language, whoever creates the contract (a sale confirmed by
        another user, a renewal cron, an import)."""
        lang = (self.company_id or self.env.company)._aftersales_lang()
        return super(AftersalesContract, self.with_context(lang=lang))._creation_message()

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for contract in self:
            if contract.partner_id and not self.env.context.get("aftersales_short_name"):
                contract.display_name = f"{contract.name} - {contract.partner_id.display_name}"
            else:
                contract.display_name = contract.name

    @api.onchange("template_id")
    def _onchange_template_id(self):
        if self.template_id:
            self.update(self.template_id._prepare_contract_vals(self.date_start))

    @api.model_create_multi
    def create(self, vals_list):
        contracts = super().create(vals_list)
        # Numbered once created: a contract refused by a check uses no number up (the
        # sequence's numbers are not given back by a rollback).
        contracts.filtered(lambda c: c.name == "/")._assign_numbers()
        return contracts

    def _sequence_date(self):
        return self.date_start

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active_or_invoiced(self):
        for contract in self:
            if contract.state not in ("draft", "cancel"):
                raise UserError(
                    self.env._(
                        "Contract %(name)s is %(state)s: cancel it instead of deleting it.",
                        name=contract.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            contract.state
                        ],
                    )
                )
            if contract.sudo().invoice_ids:  # sudo: invoices bind whoever may not read them
                raise UserError(
                    self.env._(
                        "Contract %(name)s has invoices and cannot be deleted.",
                        name=contract.name,
                    )
                )

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------
    def _period_months(self):
        self.ensure_one()
        return PERIOD_MONTHS[self.billing_period]

    def _period_bounds(self, day):
        """The natural billing period (start, end) that contains ``day``."""
        self.ensure_one()
        return period_bounds(day, self.date_start, self._period_months(), self.period_alignment)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_activate(self):
        for contract in self:
            if contract.state != "draft":
                raise UserError(self.env._("Only proposals can be activated (%s).", contract.name))
            if not contract.line_ids:
                raise UserError(
                    self.env._(
                        "Contract %s has no lines: add what it bills or covers first.",
                        contract.name,
                    )
                )
        # the activation's one overlap check, before the lines are active in the database
        self.line_ids._check_lot_not_covered_twice()
        with system_writes():
            self.write({"state": "active"})
        self._on_activated()
        return True

    def _on_activated(self):
        """Hook run after contracts are activated (renewal proposals close their predecessor)."""

    def action_close(self):
        with system_writes():
            self.filtered(lambda c: c.state == "active").write({"state": "closed"})

    def action_cancel(self):
        for contract in self:
            if contract.state == "closed":
                raise UserError(self.env._("A closed contract cannot be cancelled."))
        with system_writes():
            self.write({"state": "cancel"})

    def action_draft(self):
        with system_writes():
            self.filtered(lambda c: c.state == "cancel").write({"state": "draft"})

    def action_view_lots(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.stock_lot_action_aftersales"
        )
        action.update(
            name=self.env._("Covered Serials"),
            domain=[("id", "in", self.line_ids.lot_id.ids)],
            context={"create": False},
        )
        return action

    def action_add_equipment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("What this customer bought"),
            "res_model": "aftersales.contract.equipment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Contract %s", self.name).replace("/", "_")

    # ------------------------------------------------------------------
    # The tickets a contract covers, for its smart button.
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # A serial is covered by one active contract at a time, also when a contract's
    # dates change (the lines' own constraint only sees the lines' fields). The
    # database refuses the rest (``aftersales.contract.line._lot_covered_once``).
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        # Not on a new state: ``action_activate`` checks before it writes, and a state
        # written directly reaches the lines' ``contract_state`` at the check's own
        # search (which flushes it), where the database refuses before the check could.
        if {"date_start", "date_end"} & set(vals):
            self.filtered(lambda c: c.state == "active").line_ids._check_lot_not_covered_twice()
        return res
