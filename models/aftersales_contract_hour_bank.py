from collections import defaultdict
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, float_compare, float_is_zero

from .aftersales_intervention_time import BANK_LABOUR_KINDS

HOURS_PRECISION = 2
# What a top-up adds: the hours sold with the contract, or a manager's top-up. The hours
# carried over from the previous term come in when that term closes.
TOP_UP_KINDS = ("purchase", "topup")
# The operators the hours left can be searched with, as Python comparisons.
BALANCE_OPERATORS = {
    "<": lambda hours, value: hours < value,
    "<=": lambda hours, value: hours <= value,
    ">": lambda hours, value: hours > value,
    ">=": lambda hours, value: hours >= value,
    "=": lambda hours, value: hours == value,
    "!=": lambda hours, value: hours != value,
}


class HourBankSplit(NamedTuple):
    """What one write to an hour bank's ledger did (the API of ``aftersales.contract``).

    ``moves``: the moves written. ``covered``: ``{labour kind: worked hours}`` that the
    moves stand for, drawn from the bank or given back to it. ``overage``: ``{labour
    kind: worked hours}`` that a draw could not take from the bank, to bill at the rate
    card. For a draw, ``covered`` and ``overage`` add up to the hours asked for, kind by
    kind. A top-up and closing cover no labour: both dictionaries are empty."""

    moves: models.BaseModel
    covered: dict
    overage: dict


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
    # API: the only writer of the ledger
    # ------------------------------------------------------------------
    def _check_hour_bank(self):
        for contract in self:
            if contract.contract_kind != "hour_bank":
                raise UserError(self.env._("Contract %s is not an hour bank.", contract.name))

    def _prepare_hour_move_vals(self, hours, kind, **extra):
        self.ensure_one()
        return {"contract_id": self.id, "hours": hours, "kind": kind, **extra}

    def _prepare_hour_reversal_vals(self, move):
        """The reversal giving back ``move``, a consumption of this bank: the same hours
        the other way, dated as the move it reverses."""
        self.ensure_one()
        return self._prepare_hour_move_vals(
            -move.hours,
            "reversal",
            date=move.date,
            name=self.env._(
                "Given back: %(move)s", move=move.name or move.intervention_id.name or self.name
            ),
            labour_kind=move.labour_kind,
            worked_hours=-move.worked_hours,
            ticket_id=move.ticket_id.id,
            intervention_id=move.intervention_id.id,
            reversed_move_id=move.id,
        )

    def _hour_bank_factor(self, labour_kind):
        self.ensure_one()
        if labour_kind == "normal":
            return 1.0
        if labour_kind not in dict(BANK_LABOUR_KINDS):
            raise UserError(self.env._("Unknown kind of labour: %s.", labour_kind))
        return self[f"hour_bank_{labour_kind}_factor"]

    def _hour_bank_lock(self):
        """Lock the contract rows until the end of the transaction and mark them changed.

        A second transaction drawing from the same bank waits for the lock; since the
        row has then been updated, PostgreSQL refuses its stale snapshot (a
        serialization failure, which Odoo retries with fresh data), so it never reads a
        balance without the first one's moves."""
        self.env.cr.execute(
            SQL(
                "UPDATE aftersales_contract SET write_date = now() AT TIME ZONE 'UTC',"
                " write_uid = %s WHERE id IN %s",
                self.env.uid,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["write_date", "write_uid"])

    def _hour_bank_written(self):
        """After each write to the ledger of these banks: their balances are read again
        and the low-balance alert is checked (sent, or armed again)."""
        self.invalidate_recordset(
            ["hour_bank_hours", "hour_bank_used", "hour_bank_expired", "hour_bank_remaining"]
        )
        self._hour_bank_check_threshold()

    def _hour_bank_top_up(self, hours, kind="topup", name=False, date=False):
        """Add ``hours`` to this bank: ``kind`` purchase (the hours sold with the
        contract) or topup (a gift, a sale outside Odoo, a correction), on ``date``
        (today by default). A manual top-up is a manager's decision. Returns the
        ``HourBankSplit`` (no labour covered)."""
        self.ensure_one()
        self._check_hour_bank()
        if not self.env.su and not self.env.user.has_group("aftersales.group_aftersales_manager"):
            raise AccessError(self.env._("Only a service manager can add hours to an hour bank."))
        if kind not in TOP_UP_KINDS:
            raise UserError(self.env._("Unknown kind of top-up: %s.", kind))
        if float_compare(hours, 0.0, precision_digits=HOURS_PRECISION) <= 0:
            raise UserError(self.env._("The hours added to a bank must be positive."))
        vals = self._prepare_hour_move_vals(hours, kind, name=name)
        if date:
            vals["date"] = date
        self._hour_bank_lock()
        moves = self.env["aftersales.hour.move"].sudo().create(vals)
        self._hour_bank_written()
        return HourBankSplit(moves.sudo(False), {}, {})

    def _hour_bank_draw(
        self,
        hours_by_kind,
        ticket=False,
        intervention=False,
        date=False,
        name=False,
        replacing=None,
    ):
        """Draw the hours worked from this bank.

        ``hours_by_kind``: ``{labour kind: hours worked}`` (normal, overtime, holiday,
        travel); each kind is converted at the contract's factor (for example 1 overtime
        hour = 1.5 bank hours) and drawn in the order given. ``ticket``,
        ``intervention``, ``name``: what the hours were for; ``date``: the day of the
        moves (today by default). ``replacing``: consumption moves given back first,
        under the same lock (an intervention whose hours changed draws again), so that
        the alert is checked once, on the balance at the end.

        When the balance is too short, a bank set to *block* refuses the whole draw; a
        bank set to *bill* draws what is left, and the rest is the split's overage,
        billed at the rate card. Returns the ``HourBankSplit`` of the draw."""
        self.ensure_one()
        self._check_hour_bank()
        self.check_access("read")
        if self.state != "active":
            raise UserError(self.env._("Hour bank %s is not active.", self.name))
        if any(hours < 0 for hours in hours_by_kind.values()):
            raise UserError(self.env._("Hours worked cannot be negative."))
        factors = {kind: self._hour_bank_factor(kind) for kind in hours_by_kind}
        replacing = self._hour_bank_live(replacing)
        banks = self | replacing.contract_id
        banks._hour_bank_lock()
        if replacing:
            banks._hour_bank_create_reversals(replacing)
        left = self._hour_bank_balance().get(self.id, 0.0)
        needed = sum(hours * factors[kind] for kind, hours in hours_by_kind.items())
        if (
            float_compare(needed, left, precision_digits=HOURS_PRECISION) > 0
            and self.hour_bank_overage == "block"
        ):
            raise UserError(
                self.env._(
                    "Hour bank %(bank)s has %(left)s h left, this work needs %(needed)s h.",
                    bank=self.name,
                    left="%g" % round(left, 2),
                    needed="%g" % round(needed, 2),
                )
            )
        extra = {
            "ticket_id": ticket.id if ticket else False,
            "intervention_id": intervention.id if intervention else False,
            "date": date or fields.Date.context_today(self),
            "name": name,
        }
        moves = (
            self.env["aftersales.hour.move"]
            .sudo()
            .create([{**vals, **extra} for vals in self._plan_draw(hours_by_kind, left)])
        )
        banks._hour_bank_written()
        return self._hour_bank_split(hours_by_kind, moves.sudo(False))

    def _plan_draw(self, hours_by_kind, left):
        """The consumption moves drawing ``hours_by_kind`` from ``left`` bank hours, kind
        by kind in the order given: a kind that the balance cannot cover in full takes
        what is left; a kind worth no bank hours makes no move."""
        vals_list = []
        for kind, worked in hours_by_kind.items():
            factor = self._hour_bank_factor(kind)
            bank_hours = worked * factor
            if float_compare(bank_hours, left, precision_digits=HOURS_PRECISION) > 0:
                bank_hours = max(left, 0.0)
                worked = bank_hours / factor if factor else worked
            left -= bank_hours
            if float_is_zero(bank_hours, precision_digits=HOURS_PRECISION):
                continue
            vals_list.append(
                self._prepare_hour_move_vals(
                    -bank_hours, "consumption", labour_kind=kind, worked_hours=worked
                )
            )
        return vals_list

    @api.model
    def _hour_bank_split(self, hours_by_kind, moves):
        """The ``HourBankSplit`` of a draw of ``hours_by_kind`` ({labour kind: hours
        worked}) that wrote the consumption ``moves``: the worked hours of the moves are
        covered, the rest of each kind is the overage. Defined here once, for a draw
        just made and for the one an intervention made before with the same hours."""
        covered = defaultdict(float)
        for move in moves:
            covered[move.labour_kind] += move.worked_hours
        overage = {}
        for kind, hours in hours_by_kind.items():
            rest = hours - covered.get(kind, 0.0)
            if float_compare(rest, 0.0, precision_digits=6) > 0:
                overage[kind] = rest
        return HourBankSplit(moves, dict(covered), overage)

    @api.model
    def _hour_bank_live(self, moves):
        """The consumption moves of ``moves`` not given back yet."""
        if not moves:
            return self.env["aftersales.hour.move"]
        return moves.filtered(lambda move: move.kind == "consumption" and not move.reversal_ids)

    def _hour_bank_create_reversals(self, moves):
        """Write the reversals of the consumption ``moves`` of these banks (locked)."""
        return (
            self.env["aftersales.hour.move"]
            .sudo()
            .create([move.contract_id._prepare_hour_reversal_vals(move) for move in moves])
        )

    def _hour_bank_give_back(self, moves):
        """Give the consumption ``moves`` back to these banks, which hold them (an
        intervention cancelled, or no longer paid by its bank): a reversal each, dated
        as the move it reverses (the ledger is never rewritten; a consumption is given
        back once, so moves already given back are left out). Returns the
        ``HourBankSplit``: the reversals, and the worked hours given back per kind."""
        moves = self._hour_bank_live(moves)
        if moves.contract_id - self:
            raise UserError(
                self.env._(
                    "Hour bank %s does not hold these hours.",
                    ", ".join((moves.contract_id - self).mapped("name")),
                )
            )
        if not moves:
            return HourBankSplit(moves, {}, {})
        banks = moves.contract_id
        banks._hour_bank_lock()
        reversals = banks._hour_bank_create_reversals(moves)
        banks._hour_bank_written()
        covered = defaultdict(float)
        for move in moves:
            covered[move.labour_kind] += move.worked_hours
        return HourBankSplit(reversals.sudo(False), dict(covered), {})

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

    def _hour_bank_close(self):
        """At the end of a term, the hours left expire, or go to the renewal (a
        carry-out here, a carry-in there). Returns the ``HourBankSplit`` (no labour
        covered)."""
        Move = self.env["aftersales.hour.move"]
        if not self:
            return HourBankSplit(Move, {}, {})
        successor_of = {
            bank: bank.successor_ids.filtered(lambda c: c.state != "cancel")[:1] for bank in self
        }
        banks = self.union(*successor_of.values())
        banks._hour_bank_lock()
        balance = self._hour_bank_balance()
        vals_list = []
        for bank in self:
            left = balance.get(bank.id, 0.0)
            if float_compare(left, 0.0, precision_digits=HOURS_PRECISION) <= 0:
                continue
            successor = successor_of[bank]
            if bank.hour_bank_end == "carry" and successor:
                vals_list.append(
                    bank._prepare_hour_move_vals(-left, "carry_out", name=successor.name)
                )
                vals_list.append(
                    successor._prepare_hour_move_vals(left, "carry_in", name=bank.name)
                )
            else:
                vals_list.append(bank._prepare_hour_move_vals(-left, "expiry"))
        moves = Move.sudo().create(vals_list)
        banks._hour_bank_written()
        return HourBankSplit(moves.sudo(False), {}, {})

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
