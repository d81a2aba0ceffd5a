from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare, float_round

from .aftersales_field_policy import MANAGER_GROUP, MONEY_GROUPS
from .aftersales_intervention_time import BANK_ORDER

# The order of the lines on the form and the bill.
CHARGE_SEQUENCES = {
    "callout": 10,
    "travel": 20,
    "travel_time": 30,
    "per_diem": 40,
    "labour": 50,
    "material": 60,
    "expense": 70,
    "subcontract": 80,
}

# Which cost column a charge kind's cost adds to.
COST_COLUMNS = {
    "labour": "cost_time",
    "travel_time": "cost_time",
    "callout": "cost_travel",
    "travel": "cost_travel",
    "per_diem": "cost_travel",
    "material": "cost_materials",
    "expense": "cost_expenses",
    "subcontract": "cost_subcontract",
}


class AftersalesIntervention(models.Model):
    """Costing: the charge lines of a finished intervention, priced at its rate card,
    split by coverage, with their costs read from the standard records of the work; and
    the intervention's revenue (its posted invoice lines), cost and margin, stored so that
    reporting can group and sum them."""

    _inherit = "aftersales.intervention"

    charge_ids = fields.One2many(
        "aftersales.intervention.charge", "intervention_id", string="Charges", copy=False
    )
    rate_card_id = fields.Many2one(
        "aftersales.rate.card",
        compute="_compute_rate_card_id",
        help="The rate card pricing this intervention: its contract's, else its customer's, "
        "else the company's default.",
    )
    can_adjust_charges = fields.Boolean(
        compute="_compute_can_adjust_charges",
        help="The current user may adjust the charges (a manager).",
    )
    hour_move_ids = fields.One2many(
        "aftersales.hour.move", "intervention_id", string="Hour Bank Moves", copy=False
    )
    hour_bank_request = fields.Json(
        copy=False,
        readonly=True,
        help="The bank hours per kind last drawn for this intervention: a recomputation "
        "with the same hours draws nothing again.",
    )
    charge_amount = fields.Monetary(
        string="Charged",
        currency_field="company_currency_id",
        compute="_compute_charge_totals",
        store=True,
    )
    charge_covered_amount = fields.Monetary(
        string="Covered",
        currency_field="company_currency_id",
        compute="_compute_charge_totals",
        store=True,
    )
    charge_customer_amount = fields.Monetary(
        string="Customer Pays",
        currency_field="company_currency_id",
        compute="_compute_charge_totals",
        store=True,
    )
    cost_time = fields.Monetary(
        string="Labour Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Work and travel time of the technicians at their hourly cost (timesheets).",
        groups=MONEY_GROUPS,
    )
    cost_travel = fields.Monetary(
        string="Travel Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Kilometres at the vehicle's cost per km.",
        groups=MONEY_GROUPS,
    )
    cost_materials = fields.Monetary(
        string="Materials Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Materials used at their stock valuation.",
        groups=MONEY_GROUPS,
    )
    cost_expenses = fields.Monetary(
        string="Expenses Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        groups=MONEY_GROUPS,
    )
    cost_subcontract = fields.Monetary(
        string="Subcontracting Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        groups=MONEY_GROUPS,
    )
    cost_total = fields.Monetary(
        string="Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        groups=MONEY_GROUPS,
    )
    revenue = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_revenue",
        store=True,
        help="Posted invoice lines of the intervention's sale lines, credit notes deducted, "
        "untaxed, in the company's currency.",
        groups=MONEY_GROUPS,
    )
    margin = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MONEY_GROUPS,
    )
    margin_percent = fields.Float(
        string="Margin (%)",
        compute="_compute_margin",
        store=True,
        aggregator="avg",
        groups=MONEY_GROUPS,
    )

    @api.depends_context("uid")
    def _compute_can_adjust_charges(self):
        self.can_adjust_charges = self.env.user.has_group(MANAGER_GROUP)

    @api.depends("contract_id.rate_card_id", "partner_id", "company_id")
    def _compute_rate_card_id(self):
        keys = {i: (i.contract_id, i.commercial_partner_id, i.company_id) for i in self}
        cards = self.env["aftersales.rate.card"].sudo()._resolve_batch(set(keys.values()))
        for intervention in self:
            intervention.rate_card_id = cards[keys[intervention]].sudo(False)

    @api.depends("charge_ids.amount", "charge_ids.covered_amount", "charge_ids.customer_amount")
    def _compute_charge_totals(self):
        for intervention in self:
            charges = intervention.charge_ids
            intervention.charge_amount = sum(charges.mapped("amount"))
            intervention.charge_covered_amount = sum(charges.mapped("covered_amount"))
            intervention.charge_customer_amount = sum(charges.mapped("customer_amount"))

    @api.depends("charge_ids.cost", "charge_ids.kind")
    def _compute_costs(self):
        for intervention in self:
            costs = defaultdict(float)
            for charge in intervention.charge_ids:
                costs[COST_COLUMNS[charge.kind]] += charge.cost
            currency = intervention.company_id.currency_id
            total = 0.0
            for column in set(COST_COLUMNS.values()):
                intervention[column] = currency.round(costs[column])
                total += costs[column]
            intervention.cost_total = currency.round(total)

    # Only posted lines count, and a posted line's amount never changes: the revenue
    # follows the charges' sale lines here, and the invoices' postings, resets and
    # cancellations (account.move ``_aftersales_recompute_revenue``), not every write of
    # an invoice line's balance while the invoices are being built.
    @api.depends("charge_ids.sale_line_id")
    def _compute_revenue(self):
        # sudo: the revenue is a figure of the intervention, whoever reads it
        lines = self.sudo().charge_ids.sale_line_id.invoice_lines
        # one read of the lines' state and balance for the batch
        lines.fetch(["parent_state", "balance"])
        for intervention in self:
            lines = intervention.charge_ids.sudo().sale_line_id.invoice_lines.filtered(
                lambda line: line.parent_state == "posted"
            )
            intervention.revenue = -sum(lines.mapped("balance"))

    @api.depends("revenue", "cost_total")
    def _compute_margin(self):
        for intervention in self:
            intervention.margin = intervention.revenue - intervention.cost_total
            intervention.margin_percent = (
                100.0 * intervention.margin / intervention.revenue if intervention.revenue else 0.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        margin_fields = self.env["aftersales.contract"]._margin_fields()
        pending = {field: self.env.records_to_compute(field) for field in margin_fields}
        interventions = super().create(vals_list)
        interventions._keep_contract_margins(pending)
        return interventions

    def _keep_contract_margins(self, pending):
        """New interventions without charges earn and cost nothing: the figures of their
        contracts, sums of their interventions', stay what they were. The contracts that
        only these interventions marked (``pending``: what was marked before) are not
        computed again; the others are."""
        # sudo: the charges and contracts of the new interventions, whoever made them
        interventions = self.sudo()
        unchanged = interventions.contract_id - interventions.filtered("charge_ids").contract_id
        for field, marked_before in pending.items():
            self.env.remove_to_compute(field, unchanged - marked_before)

    # ------------------------------------------------------------------
    # Computing the charges
    # ------------------------------------------------------------------
    def _finish_compute_charges(self):
        res = super()._finish_compute_charges()
        self._compute_charges()
        return res

    def action_compute_charges(self):
        """Recompute the charges of finished interventions before billing: lines are
        updated in place; lines adjusted by a manager or already billed stay as they are."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a service manager can compute the charges."))
        self._check_state(("done",), self.env._("Compute Charges"))
        self._compute_charges()
        return True

    def _compute_charges(self):
        """Build the charge lines of ``self`` from their worksheets: each concern gives
        its lines (``_prepare_charge_vals_list``), the coverage splits them
        (``_apply_charge_coverage``, hour banks drawn here), then the lines are written
        in place by their key. System work: the caller's right to finish or to compute
        is checked before."""
        system = self.sudo().with_context(aftersales_charge_compute=True)
        vals_by_intervention = {}
        for intervention in system:
            vals_list = intervention._prepare_charge_vals_list()
            for vals in vals_list:
                vals.setdefault("sequence", CHARGE_SEQUENCES.get(vals["kind"], 90))
            vals_by_intervention[intervention] = intervention._apply_charge_coverage(vals_list)
        system._sync_charges(vals_by_intervention)

    def _apply_charge_coverage(self, vals_list):
        """Who pays each line (``aftersales.coverage.mixin._charge_coverage``), in one
        place for every kind; an hour bank pays labour and travel time by drawing their
        hours (``_apply_hour_bank``), the hours it cannot cover are the customer's."""
        self.ensure_one()
        result, bank_vals = [], []
        for vals in vals_list:
            payer, percent = self._charge_coverage(vals["kind"], vals.get("product_id"))
            if payer == "hour_bank":
                bank_vals.append(vals)
                continue
            result.append({**vals, "coverage_kind": payer, "coverage_percent": percent})
        if bank_vals or self._hour_bank_consumption():
            # no hours for the bank any more (coverage changed): its moves are given back
            result.extend(self._apply_hour_bank(bank_vals))
        return result

    @api.model
    def _bank_kind(self, vals):
        return "travel" if vals["kind"] == "travel_time" else vals.get("labour_kind") or "normal"

    def _apply_hour_bank(self, vals_list):
        """Draw the billable hours of these labour and travel-time lines from the
        contract's bank (``_draw_hour_bank``) and split each line as the draw says: the
        covered hours are lines paid 100% by the bank, linked to its move, and the
        overage lines of the customer's, at the rate card. Lines of one kind of bank
        hours take the covered hours first, in the order the bank pays them."""
        self.ensure_one()
        request = defaultdict(float)
        for vals in vals_list:
            request[self._bank_kind(vals)] += vals["quantity"]
        request = {
            kind: float_round(request[kind], precision_digits=4)
            for kind in BANK_ORDER
            if request.get(kind)
        }
        split = self._draw_hour_bank(request)
        move_of = {move.labour_kind: move for move in split.moves}
        left = {
            "hour_bank": defaultdict(float, split.covered),
            "customer": defaultdict(float, split.overage),
        }
        vals_list = sorted(
            vals_list,
            key=lambda v: (
                BANK_ORDER.index(self._bank_kind(v)),
                BANK_ORDER.index(v.get("labour_kind") or "normal"),
            ),
        )
        result = []
        for vals in vals_list:
            kind = self._bank_kind(vals)
            quantity, rest = vals["quantity"], vals["quantity"]
            worked = vals.get("worked_hours", 0.0)
            for payer, percent, move in (
                ("hour_bank", 100.0, move_of.get(kind)),
                ("customer", 0.0, False),
            ):
                part = min(rest, max(left[payer][kind], 0.0))
                left[payer][kind] -= part
                rest -= part
                if float_compare(part, 0.0, precision_digits=4) <= 0:
                    continue
                result.append(
                    {
                        **vals,
                        "quantity": part,
                        "worked_hours": worked * part / quantity,
                        "coverage_kind": payer,
                        "coverage_percent": percent,
                        "hour_move_id": move.id if move else False,
                    }
                )
        return result

    def _draw_hour_bank(self, request):
        """The hour-bank split (``HourBankSplit``) of this intervention for
        ``request`` ({bank kind: hours}), all written by the contract: the draw already
        made when the hours are the same (a recomputation draws nothing twice), else a
        new draw that gives the old one back first (``contract._hour_bank_draw``: row
        lock, block or bill the overage), or, when the bank pays nothing any more, the
        old draw given back (``contract._hour_bank_give_back``). The ledger is never
        rewritten."""
        self.ensure_one()
        existing = self._hour_bank_consumption()
        if existing and self.hour_bank_request == request:
            return self.env["aftersales.contract"]._hour_bank_split(request, existing)
        if existing:
            self.message_post(
                body=self.env._(
                    "Hours changed: %(hours)s h drawn from hour bank %(bank)s are given back "
                    "and drawn again.",
                    hours="%g" % round(sum(existing.mapped("worked_hours")), 2),
                    bank=existing.contract_id[:1].name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        self.hour_bank_request = request
        if not request:
            return existing.contract_id._hour_bank_give_back(existing)
        when = self.date_end or fields.Datetime.now()
        return self.contract_id._hour_bank_draw(
            request,
            ticket=self.ticket_id,
            intervention=self,
            date=fields.Date.context_today(self, when),
            replacing=existing,
        )

    def _hour_bank_consumption(self):
        """The consumption moves of these interventions not given back."""
        return self.hour_move_ids.filtered(
            lambda move: move.kind == "consumption" and not move.reversal_ids
        )

    def _sync_charges(self, vals_by_intervention):
        """Write the lines of each intervention in place: a line whose key
        (``_charge_key``) is computed again is updated, a new key is created, a key no
        longer computed is deleted. Adjusted and billed lines stay as they are, and
        nothing is computed again under their key. Lines added by hand are lines of
        their own, whatever their key: they never stand for a computed line, so they
        neither replace nor remove one."""
        Charge = self.env["aftersales.intervention.charge"]
        to_create, to_unlink = [], Charge
        for intervention, vals_list in vals_by_intervention.items():
            existing, kept = {}, set()
            for charge in intervention.charge_ids:
                if charge.is_manual:
                    continue
                key = charge._charge_key()
                if charge.is_adjusted or charge.sale_line_id:
                    kept.add(key)
                elif key in existing:
                    to_unlink |= charge
                else:
                    existing[key] = charge
            for vals in vals_list:
                vals = {**vals, "intervention_id": intervention.id}
                key = Charge._charge_key_from_vals(vals)
                if key in kept:
                    continue
                charge = existing.pop(key, None)
                if charge is None:
                    to_create.append(vals)
                    continue
                changes = charge._charge_changes(vals)
                if changes:
                    charge.write(changes)
            for charge in existing.values():
                to_unlink |= charge
        to_unlink.unlink()
        return Charge.create(to_create)

    def _prepare_charge_vals_list(self):
        """The charge lines of this intervention, as ``create`` values before coverage:
        ``kind``, ``labour_kind``, ``name``, ``product_id``, ``quantity``, ``price_unit``
        and the link to the standard record they come from. Each concern (labour,
        travel, materials, subcontracting, expenses) extends this with its own lines."""
        self.ensure_one()
        return []
