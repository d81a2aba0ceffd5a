from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import float_compare, float_is_zero

HOURS_PRECISION = 2
# The operators the hours left can be searched with, as Python comparisons.
BALANCE_OPERATORS = {
    "<": lambda hours, value: hours < value,
    "<=": lambda hours, value: hours <= value,
    ">": lambda hours, value: hours > value,
    ">=": lambda hours, value: hours >= value,
    "=": lambda hours, value: hours == value,
    "!=": lambda hours, value: hours != value,
}


class AftersalesContract(models.Model):
    """Hour-bank contracts: the customer buys a number of hours in advance, and calls not
    covered by a service contract or the warranty draw on them.

    The hours live in a ledger (``aftersales.hour.move``), and the contract is its only
    writer, through four methods: ``_hour_bank_top_up`` (hours bought or added),
    ``_hour_bank_draw`` (hours worked), ``_hour_bank_give_back`` (a draw taken back)
    and ``_hour_bank_close`` (the end of the term: the hours left expire or go to the
    renewal). Each one locks the banks it writes (``_hour_bank_lock``), so that two
    interventions finished at the same time cannot overdraw a bank, reads the balance
    after the lock, writes its moves in one batch, checks the low-balance alert again
    and returns a ``HourBankSplit``. Bought, used and remaining hours are read from the
    month summary that the ledger keeps (``aftersales.hour.bank.month``), never by
    summing every move."""

    _inherit = "aftersales.contract"

    contract_kind = fields.Selection(
        [("service", "Service contract"), ("hour_bank", "Hour bank")],
        string="Kind",
        required=True,
        default="service",
        tracking=True,
    )
    hour_move_ids = fields.One2many("aftersales.hour.move", "contract_id", string="Hour Moves")
    hour_bank_hours = fields.Float(
        string="Prepaid Hours",
        compute="_compute_hour_bank_balance",
        inverse="_inverse_hour_bank_hours",
        help="Hours bought, topped up and carried over from the previous term. Raising it "
        "records a top-up in the ledger.",
    )
    hour_bank_used = fields.Float(
        string="Hours Used",
        compute="_compute_hour_bank_balance",
        help="Hours drawn so far by the calls and interventions charged to this hour bank.",
    )
    hour_bank_expired = fields.Float(
        string="Hours Expired",
        compute="_compute_hour_bank_balance",
        help="Hours that expired at the end of the term, or were carried over to the renewal.",
    )
    hour_bank_remaining = fields.Float(
        string="Hours Left",
        compute="_compute_hour_bank_balance",
        search="_search_hour_bank_remaining",
    )
    hour_bank_threshold = fields.Float(
        string="Alert Below (h)",
        help="When the hours left fall below this, the customer gets an e-mail and the "
        "responsible an activity (once each time the balance crosses it).",
    )
    hour_bank_low_notified = fields.Boolean(copy=False, readonly=True)
    hour_bank_overage = fields.Selection(
        [("bill", "Bill at the rate card"), ("block", "Block")],
        string="When Hours Run Out",
        required=True,
        default="bill",
        help="Hours beyond the balance are billed at the rate card, or refused.",
    )
    hour_bank_end = fields.Selection(
        [("expire", "Expire"), ("carry", "Carry over to the renewal")],
        string="Hours Left at the End",
        required=True,
        default="expire",
    )
    hour_bank_overtime_factor = fields.Float(
        string="Bank Hours per Overtime Hour", default=1.5, digits=(16, 2)
    )
    hour_bank_holiday_factor = fields.Float(
        string="Bank Hours per Holiday Hour", default=2.0, digits=(16, 2)
    )
    hour_bank_travel_factor = fields.Float(
        string="Bank Hours per Travel Hour", default=1.0, digits=(16, 2)
    )

    _hour_bank_settings_positive = models.Constraint(
        "CHECK (hour_bank_threshold >= 0 AND hour_bank_overtime_factor >= 0"
        " AND hour_bank_holiday_factor >= 0 AND hour_bank_travel_factor >= 0)",
        "The alert threshold and the conversion factors of an hour bank cannot be negative.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The hours bought at creation may already be below the alert threshold: alert
        # once the contract has its number, which the alert shows.
        contracts = super(
            AftersalesContract, self.with_context(aftersales_hour_bank_no_alert=True)
        ).create(vals_list)
        contracts = contracts.with_env(self.env)
        contracts._hour_bank_check_threshold()
        return contracts

    # ------------------------------------------------------------------
    # Balance, from the month summary of the ledger
    # ------------------------------------------------------------------
    # The ledger's own create, write and unlink rebuild the summary of their banks, in
    # the same transaction (``aftersales.hour.bank.month._refresh``): it is up to date
    # whenever it is read, and a bank's balance is the hours left at its last month.
    def _hour_bank_totals(self):
        """{contract id: {"bought", "carried_in", "consumed", "expired", "carried_out",
        "remaining": hours}} of these contracts, in one query on the month summary."""
        ids = [cid for cid in self._origin.ids if cid]
        if not ids:
            return {}
        columns = ("bought", "carried_in", "consumed", "expired", "carried_out", "remaining")
        totals = {}
        for contract, is_last, *sums in (
            self.env["aftersales.hour.bank.month"]
            .sudo()
            ._read_group(
                [("contract_id", "in", ids)],
                ["contract_id", "is_last"],
                [f"{column}_hours:sum" for column in columns],
            )
        ):
            by_column = totals.setdefault(contract.id, dict.fromkeys(columns, 0.0))
            for column, hours in zip(columns[:-1], sums[:-1], strict=True):
                by_column[column] += hours
            if is_last:
                by_column["remaining"] = sums[-1]
        return totals

    def _hour_bank_balance(self):
        """{contract id: hours left}, read from the month summary now (not from the
        cache, which an inverse being run protects), in one query."""
        ids = [cid for cid in self._origin.ids if cid]
        if not ids:
            return {}
        rows = (
            self.env["aftersales.hour.bank.month"]
            .sudo()
            ._read_group(
                [("contract_id", "in", ids), ("is_last", "=", True)],
                ["contract_id"],
                ["remaining_hours:sum"],
            )
        )
        return {contract.id: hours for contract, hours in rows}

    @api.depends("hour_move_ids.hours", "hour_move_ids.kind")
    def _compute_hour_bank_balance(self):
        totals = self._hour_bank_totals()
        for contract in self:
            by_column = totals.get(contract._origin.id, {})
            contract.hour_bank_hours = by_column.get("bought", 0.0) + by_column.get(
                "carried_in", 0.0
            )
            contract.hour_bank_used = by_column.get("consumed", 0.0)
            contract.hour_bank_expired = by_column.get("expired", 0.0) + by_column.get(
                "carried_out", 0.0
            )
            contract.hour_bank_remaining = by_column.get("remaining", 0.0)

    def _search_hour_bank_remaining(self, operator, value):
        """Banks by their hours left: a condition on the last month of their summary,
        inside the search's own query; a contract without moves has 0 h left."""
        if operator not in BALANCE_OPERATORS:
            return NotImplemented
        value = value or 0.0
        Month = self.env["aftersales.hour.bank.month"].sudo()
        last_month = Domain("is_last", "=", True)
        condition = Domain("remaining_hours", operator, value)
        if BALANCE_OPERATORS[operator](0.0, value):
            others = Month._search(last_month & ~condition)
            return Domain("id", "not in", others.subselect("contract_id"))
        matching = Month._search(last_month & condition)
        return Domain("id", "in", matching.subselect("contract_id"))

    def _inverse_hour_bank_hours(self):
        """Raising the prepaid hours by hand records the difference as a top-up."""
        for contract in self:
            current = contract._hour_bank_totals().get(contract.id, {})
            current = current.get("bought", 0.0) + current.get("carried_in", 0.0)
            delta = contract.hour_bank_hours - current
            if float_is_zero(delta, precision_digits=HOURS_PRECISION):
                continue
            if delta < 0:
                raise UserError(
                    self.env._(
                        "Hours bought cannot be taken back (%s): let them expire instead.",
                        contract.name,
                    )
                )
            contract._hour_bank_top_up(delta, kind="topup" if current else "purchase")

    # ------------------------------------------------------------------
    # Low balance, end of term
    # ------------------------------------------------------------------
    def _hour_bank_check_threshold(self):
        """Tell the customer and the responsible once when the balance falls below the
        threshold; arm the alert again when hours come back above it (a top-up, hours
        given back, hours carried over). A closed or cancelled bank is not alerted."""
        if self.env.context.get("aftersales_hour_bank_no_alert"):
            return
        banks = self.filtered(lambda c: c.contract_kind == "hour_bank" and c.hour_bank_threshold)
        balance = banks._hour_bank_balance()
        low = banks.filtered(
            lambda c: (
                float_compare(
                    balance.get(c.id, 0.0), c.hour_bank_threshold, precision_digits=HOURS_PRECISION
                )
                < 0
            )
        )
        to_notify = low.filtered(
            lambda c: not c.hour_bank_low_notified and c.state not in ("closed", "cancel")
        )
        rearmed = (banks - low).filtered("hour_bank_low_notified")
        if rearmed:
            rearmed.sudo().hour_bank_low_notified = False
        if not to_notify:
            return
        to_notify.sudo().hour_bank_low_notified = True
        template = self.env.ref("aftersales.mail_template_hour_bank_low")
        for contract in to_notify.sudo():
            template.send_mail(contract.id)
            contract.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=contract.user_id.id or self.env.uid,
                summary=self.env._("Hour bank running low"),
                note=self.env._(
                    "%(left)s h left, below the alert threshold of %(threshold)s h.",
                    left="%g" % round(balance.get(contract.id, 0.0), 2),
                    threshold="%g" % contract.hour_bank_threshold,
                ),
            )

    def action_close(self):
        banks = self.filtered(lambda c: c.state == "active" and c.contract_kind == "hour_bank")
        res = super().action_close()
        banks._hour_bank_close()
        return res

    def action_hour_bank_topup(self):
        self.ensure_one()
        self._check_hour_bank()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Hours"),
            "res_model": "aftersales.hour.topup.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_view_hour_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_hour_move_action"
        )
        action["display_name"] = self.display_name
        action["view_mode"] = "list,pivot,graph"
        action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        action["domain"] = [("contract_id", "=", self.id)]
        return action

    @api.model
    def _hour_bank_domain(self, partners, day):
        """Active hour banks with hours left on ``day`` of the commercial entities of
        ``partners`` (one customer or a whole batch of tickets' customers)."""
        return (
            Domain("contract_kind", "=", "hour_bank")
            & Domain("state", "=", "active")
            & Domain("commercial_partner_id", "in", partners.commercial_partner_id.ids)
            & Domain("date_start", "<=", day)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", day))
            & Domain("hour_bank_remaining", ">", 0)
        )
