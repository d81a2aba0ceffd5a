from datetime import timedelta

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools.misc import format_date

RENEWAL_TYPES = [
    ("none", "No renewal"),
    ("tacit", "Tacit renewal"),
    ("proposal", "Renewal proposal"),
]
ADJUSTMENT_METHODS = [
    ("none", "Same prices"),
    ("percent", "Percentage on the whole contract"),
    ("line_percent", "Percentage per line"),
    ("lump_sum", "New total, spread over the lines"),
    ("index", "Price index"),
]


class AftersalesContract(models.Model):
    """Renewal: each new term is a successor contract with adjusted prices.

    Tacit renewal (the Italian *rinnovo tacito*): once the notice date has passed without
    a cancellation notice, the cron creates the next term as an active contract. By
    proposal: the cron creates the next term as a draft proposal for the customer, which
    becomes active when accepted. Either way the current term keeps its prices until its
    end, and every price change is kept in the revision history.
    """

    _inherit = "aftersales.contract"

    renewal_type = fields.Selection(RENEWAL_TYPES, required=True, default="none", tracking=True)
    renewal_months = fields.Integer(string="Renewal Term (months)", default=12)
    notice_days = fields.Integer(
        string="Notice (days)",
        default=90,
        help="The customer may cancel the renewal until this many days before the end date.",
    )
    date_notice = fields.Date(
        string="Notice Date",
        compute="_compute_date_notice",
        store=True,
        index=True,
        help="Last day to give notice of cancellation; the renewal is handled from this day.",
    )
    renewal_cancelled = fields.Boolean(
        string="Cancellation Notice Received", copy=False, tracking=True
    )
    adjustment_method = fields.Selection(
        ADJUSTMENT_METHODS, required=True, default="none", tracking=True
    )
    adjustment_percent = fields.Float(string="Adjustment (%)", tracking=True)
    adjustment_amount = fields.Monetary(
        string="New Total per Period",
        currency_field="currency_id",
        help="Lump-sum adjustment: the new fee per period, spread over the lines in proportion.",
    )
    index_id = fields.Many2one("aftersales.price.index", string="Price Index", check_company=True)
    index_share = fields.Float(
        string="Share of Index Change (%)",
        default=100.0,
        help="Part of the index change applied to prices, e.g. 75% of the ISTAT FOI change.",
    )
    predecessor_id = fields.Many2one(
        "aftersales.contract", string="Renewal Of", copy=False, index="btree_not_null"
    )
    successor_ids = fields.One2many("aftersales.contract", "predecessor_id", string="Renewals")
    revision_ids = fields.One2many(
        "aftersales.contract.revision", "contract_id", string="Price Revisions", readonly=True
    )

    _renewal_positive = models.Constraint(
        "CHECK (renewal_months >= 0 AND notice_days >= 0)",
        "Renewal terms and notice periods cannot be negative.",
    )
    _adjustment_floor = models.Constraint(
        "CHECK (adjustment_percent >= -100)", "A price adjustment cannot be below -100%."
    )
    # One live next term per contract, whoever renews it (the cron, a manager's click, two
    # of them at once): the database refuses a second successor that is not cancelled.
    _one_successor = models.UniqueIndex(
        "(predecessor_id) WHERE (predecessor_id IS NOT NULL AND state != 'cancel')",
        "This contract has already been renewed.",
    )
    _lump_sum_positive = models.Constraint(
        "CHECK (adjustment_amount IS NULL OR adjustment_amount >= 0)",
        "The new total of a lump-sum adjustment cannot be negative.",
    )

    @api.depends("date_end", "notice_days")
    def _compute_date_notice(self):
        for contract in self:
            contract.date_notice = contract.date_end and contract.date_end - timedelta(
                days=contract.notice_days
            )

    # ------------------------------------------------------------------
    # Price adjustment
    # ------------------------------------------------------------------
    def _index_ratio(self, day):
        """New/old ratio of the price index between the term's start and ``day``."""
        self.ensure_one()
        if not self.index_id:
            raise UserError(
                self.env._("Contract %s adjusts prices by index but has no index.", self.name)
            )
        old = self.index_id._value_at(self.date_start)
        new = self.index_id._value_at(day)
        return old, new

    def _adjusted_prices(self, day):
        """{line: (new unit price, revision values)} for the renewal computed on ``day``."""
        self.ensure_one()
        currency = self.currency_id
        method = self.adjustment_method
        result = {}
        if method == "lump_sum":
            return self._lump_sum_prices()
        extra = {}
        if method == "index":
            old, new = self._index_ratio(day)
            factor = 1 + (new.value / old.value - 1) * self.index_share / 100.0
            extra = {"index_old_value": old.value, "index_new_value": new.value}
        for line in self.line_ids:
            if method == "percent":
                factor = 1 + self.adjustment_percent / 100.0
            elif method == "line_percent":
                factor = 1 + line.renewal_percent / 100.0
            elif method == "none":
                factor = 1.0
            result[line] = (currency.round(line.price_unit * factor), extra)
        return result

    def _lump_sum_prices(self):
        """Spread the new total over the lines in proportion to their amounts.

        Each line gets its share of the new total, as a unit price rounded in the currency.
        A line's amount is its units times that price, rounded, so the amounts may miss the
        new total by a few cents (3 units at 16.67 are 50.01, not 50.00). That difference
        goes to the largest line whose price can take it exactly, so that the new lines add
        up to the new total to the cent.
        """
        currency = self.currency_id
        lines = self.line_ids.filtered("price_subtotal")
        old_total = sum(lines.mapped("price_subtotal"))
        if not old_total:
            raise UserError(
                self.env._("Contract %s has no amount to spread a new total over.", self.name)
            )
        new_total = self.adjustment_amount
        prices = {
            line: currency.round(line.price_subtotal * new_total / old_total / line._units())
            for line in lines
        }
        residue = currency.round(new_total - sum(line._amount_at(prices[line]) for line in lines))
        if not currency.is_zero(residue):
            self._absorb_residue(lines, prices, residue)
        result = {line: (line.price_unit, {}) for line in self.line_ids - lines}
        result.update({line: (price, {}) for line, price in prices.items()})
        return result

    def _absorb_residue(self, lines, prices, residue):
        """Move the price of the largest line that can take ``residue`` exactly."""
        currency = self.currency_id
        for line in lines.sorted(lambda line: (-line.price_subtotal, line.id)):
            target = currency.round(line._amount_at(prices[line]) + residue)
            price = currency.round(target / line._units())
            for candidate in (price, price - currency.rounding, price + currency.rounding):
                candidate = currency.round(candidate)
                if candidate >= 0 and currency.is_zero(line._amount_at(candidate) - target):
                    prices[line] = candidate
                    return
        raise UserError(
            self.env._(
                "The new total %(total)s of contract %(name)s cannot be reached exactly with"
                " unit prices in the currency's smallest unit on these quantities: choose a"
                " total a few cents apart.",
                total=self.adjustment_amount,
                name=self.name,
            )
        )

    # ------------------------------------------------------------------
    # Renewal
    # ------------------------------------------------------------------
    def _lines_to_renew(self):
        """The lines that go on into the next term (not ended before it starts)."""
        start = self.date_end + timedelta(days=1)
        return self.line_ids.filtered(lambda line: not line.date_end or line.date_end >= start)

    def _prepare_renewal_vals(self, prices):
        """Values of the next term of this contract, with the adjusted ``prices``."""
        self.ensure_one()
        start = self.date_end + timedelta(days=1)
        months = self.renewal_months or 12
        line_commands = []
        for line in self._lines_to_renew():
            line_vals = line.copy_data(
                {
                    "date_start": start,
                    "price_unit": prices[line][0],
                }
            )[0]
            line_commands.append(Command.create(line_vals))
        return {
            "predecessor_id": self.id,
            "date_start": start,
            "date_end": start + relativedelta(months=months, days=-1),
            "next_period_start": start,
            "line_ids": line_commands,
            "origin": self.name,
            "adjustment_amount": False,
        }

    def _prepare_revision_vals(self, new_contract, prices, day):
        vals_list = []
        for old_line, new_line in zip(self._lines_to_renew(), new_contract.line_ids, strict=True):
            new_price, extra = prices[old_line]
            if not old_line.price_unit and not new_price:
                continue  # a covered machine without a fee of its own: nothing changed
            vals_list.append(
                {
                    "contract_id": new_contract.id,
                    "line_id": new_line.id,
                    "previous_contract_id": self.id,
                    "date": day,
                    "method": self.adjustment_method,
                    "old_price": old_line.price_unit,
                    "new_price": new_price,
                    **extra,
                }
            )
        return vals_list

    def _renew(self, day):
        """Create the next term of each contract; returns the new contracts."""
        new_contracts = self.browse()
        for contract in self:
            if not contract.date_end:
                raise UserError(
                    self.env._(
                        "Contract %s is open-ended: there is nothing to renew.", contract.name
                    )
                )
            if contract.successor_ids.filtered(lambda c: c.state != "cancel"):
                raise contract._already_renewed_error()
            prices = contract._adjusted_prices(day)
            vals = contract.copy_data(contract._prepare_renewal_vals(prices))[0]
            try:
                with self.env.cr.savepoint():
                    new_contract = self.create(vals)
            except psycopg2.errors.UniqueViolation:
                # renewed by a concurrent transaction that this one cannot see yet
                raise contract._already_renewed_error() from None
            self.env["aftersales.contract.revision"].create(
                contract._prepare_revision_vals(new_contract, prices, day)
            )
            new_contracts |= new_contract
            contract.message_post(
                body=self.env._(
                    "Renewed from %(date)s by %(new)s.",
                    date=format_date(self.env, new_contract.date_start),
                    new=new_contract._get_html_link(title=new_contract.name),
                )
            )
        tacit = new_contracts.filtered(lambda c: c.predecessor_id.renewal_type == "tacit")
        if tacit:
            tacit.action_activate()
        return new_contracts

    def _already_renewed_error(self):
        return UserError(self.env._("Contract %s has already been renewed.", self.name))

    def action_renew(self):
        """Renew now: the next term, as a proposal or active according to the renewal type."""
        self._lock_for_manual_run(
            self.env._(
                "These contracts are being renewed right now by the scheduled run."
                " Try again in a few minutes."
            )
        )
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._("Only active contracts can be renewed (%s).", contract.name)
                )
        new_contracts = self._renew(fields.Date.context_today(self))
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.contract",
            "view_mode": "form" if len(new_contracts) == 1 else "list,form",
            "res_id": new_contracts.id if len(new_contracts) == 1 else False,
            "domain": [("id", "in", new_contracts.ids)],
        }

    def action_view_successors(self):
        self.ensure_one()
        successors = self.successor_ids
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.contract",
            "name": self.env._("Renewals"),
            "view_mode": "form" if len(successors) == 1 else "list,form",
            "res_id": successors.id if len(successors) == 1 else False,
            "domain": [("id", "in", successors.ids)],
        }

    def action_cancel_renewal(self):
        """Record the customer's notice of cancellation: the contract ends at its end date."""
        today = fields.Date.context_today(self)
        for contract in self:
            if (
                contract.renewal_type == "tacit"
                and contract.date_notice
                and today > contract.date_notice
            ):
                raise UserError(
                    self.env._(
                        "The notice date of %(name)s was %(date)s: the contract renews tacitly.",
                        name=contract.name,
                        date=format_date(self.env, contract.date_notice),
                    )
                )
        self.write({"renewal_cancelled": True})
        self.successor_ids.filtered(lambda c: c.state == "draft").action_cancel()

    def _can_be_accepted_in_portal(self):
        """A renewal proposal the customer may accept (and so activate) from the portal."""
        self.ensure_one()
        return self.state == "draft" and bool(self.predecessor_id) and bool(self.line_ids)

    def _portal_may_accept(self, user):
        """Whether ``user`` may accept this proposal: reading it is not enough. They must
        be its customer (the same commercial entity) or be able to activate it in the
        back office (an After-Sales manager who may write it). A visitor who is not
        logged in can only have reached it through its access token, which was sent to
        the customer: they act for the customer."""
        self.ensure_one()
        if user._is_public():
            return True
        if self.commercial_partner_id == user.partner_id.commercial_partner_id:
            return True
        return user.has_group("aftersales.group_aftersales_manager") and self.with_user(
            user
        ).has_access("write")

    def _renewal_due_domain(self, today):
        return (
            Domain("state", "=", "active")
            & Domain("renewal_type", "!=", "none")
            & Domain("renewal_cancelled", "=", False)
            & Domain("date_notice", "<=", today)
            & Domain("successor_ids", "=", False)
        )

    def _on_activated(self):
        res = super()._on_activated()
        accepted = self.filtered(lambda c: c.predecessor_id.renewal_type == "proposal")
        for contract in accepted:
            contract.predecessor_id.message_post(
                body=self.env._(
                    "Renewal %s accepted.", contract._get_html_link(title=contract.name)
                )
            )
        return res

    def action_draft(self):
        for contract in self.filtered(lambda c: c.state == "cancel" and c.predecessor_id):
            live = contract.predecessor_id.successor_ids.filtered(lambda c: c.state != "cancel")
            if live - contract:
                raise contract.predecessor_id._already_renewed_error()
        return super().action_draft()

    @api.model
    def _cron_renew(self, batch_size=50):
        """Close the ended contracts, then renew those whose notice period has started,
        in the loop of ``aftersales.cron.mixin``: commit, lock, re-check, work. The
        locks keep a concurrent run, or a manual *Renew*, off the same contracts; a
        renewal that fails is noted on the contract and left to the next run."""
        today = fields.Date.context_today(self)
        ended = Domain(
            [("state", "=", "active"), ("date_end", "<", today), ("next_invoice_date", "=", False)]
        )

        def close(contracts):
            contracts.action_close()
            return len(contracts), {}

        # all of them in one batch
        self._cron_in_batches(
            find=lambda skipped: (self.search(ended & Domain("id", "not in", skipped)), None),
            recheck=ended,
            work=close,
        )
        due = self._renewal_due_domain(today)
        self._cron_in_batches(
            find=lambda skipped: self._cron_find(due & Domain("id", "not in", skipped), batch_size),
            # a concurrent run may have renewed them between the search and the lock
            recheck=due,
            work=lambda contracts: (len(contracts), contracts._renew_one_by_one(today)),
            record_errors=self._note_renewal_errors,
        )

    def _renew_one_by_one(self, day):
        """Renew each contract of ``self`` on its own; returns {contract: error}."""
        _renewed, errors = self._one_by_one(lambda contract: contract._renew(day), self, UserError)
        return errors

    def _note_renewal_errors(self, errors):
        for contract, error in errors.items():
            contract.message_post(body=self.env._("Renewal failed: %s", error))
