from collections import defaultdict
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero

from .aftersales_contract_hour_bank import HOURS_PRECISION
from .aftersales_intervention_time import BANK_LABOUR_KINDS

# What a top-up adds: the hours sold with the contract, or a manager's top-up. The hours
# carried over from the previous term come in when that term closes.
TOP_UP_KINDS = ("purchase", "topup")


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
    """The hour bank's ledger API: the contract is the only writer of its ledger
    (``aftersales.hour.move``). Top up, draw and give back each lock the bank, write
    their moves in one batch, re-check the low-balance alert and return the split
    (``HourBankSplit``); closing a term expires what is left or carries it over. The
    balance and the alert are in ``aftersales_contract_hour_bank.py``."""

    _inherit = "aftersales.contract"

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
