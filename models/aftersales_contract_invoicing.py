import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import float_is_zero, float_round
from odoo.tools.misc import format_date

from .aftersales_contract import current_period, due_date

_logger = logging.getLogger(__name__)

# Who may read invoices: the contract's invoices show to them only.
INVOICE_READERS = "account.group_account_invoice,account.group_account_readonly"


class AftersalesContract(models.Model):
    """Recurring invoicing: one customer invoice per contract and billing period.

    ``next_period_start`` is the first day not invoiced yet. A period is due on its first
    day when billing in advance and on its last day when billing in arrears. Every invoice
    records the period it bills, and a unique index on ``account.move`` refuses a second
    live invoice for the same contract and period, whoever creates it.
    """

    _inherit = "aftersales.contract"

    next_period_start = fields.Date(
        copy=False,
        help="First day that has not been invoiced yet.",
    )
    next_invoice_date = fields.Date(
        compute="_compute_next_invoice_date",
        store=True,
        index=True,
        help="Day the next period becomes due. Empty when everything has been invoiced.",
    )
    invoice_ids = fields.One2many(
        "account.move",
        "aftersales_contract_id",
        string="Invoices",
        readonly=True,
        copy=False,
        groups=INVOICE_READERS,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count", groups=INVOICE_READERS)
    invoicing_error = fields.Text(copy=False, readonly=True)
    invoicing_error_date = fields.Datetime(copy=False, readonly=True)

    @api.depends(
        "next_period_start",
        "date_start",
        "date_end",
        "billing_mode",
        "billing_period",
        "period_alignment",
    )
    def _compute_next_invoice_date(self):
        for contract in self:
            start = contract.next_period_start
            if (
                not start
                or not contract.date_start
                or (contract.date_end and start > contract.date_end)
            ):
                contract.next_invoice_date = False
                continue
            contract.next_invoice_date = due_date(
                *contract._current_period(start), contract.billing_mode
            )

    def _compute_invoice_count(self):
        moves_of = self._invoices_and_credit_notes()
        for contract in self:
            contract.invoice_count = len(moves_of.get(contract.id, ()))

    def _invoices_and_credit_notes(self):
        """{contract id: account.move ids}: the contract's period invoices and the
        moves whose lines bill its lines (credit notes, a corrected invoice)."""
        ids = [contract_id for contract_id in self.ids if contract_id]
        if not ids:
            return {}
        moves = self.env["account.move"].search(
            [
                "|",
                ("aftersales_contract_id", "in", ids),
                ("invoice_line_ids.aftersales_contract_line_id.contract_id", "in", ids),
            ]
        )
        result = {}
        for move in moves:
            contracts = (
                move.aftersales_contract_id
                | move.invoice_line_ids.aftersales_contract_line_id.contract_id
            )
            for contract_id in set(contracts.ids) & set(ids):
                result.setdefault(contract_id, []).append(move.id)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("next_period_start") and vals.get("date_start"):
                vals["next_period_start"] = vals["date_start"]
        contracts = super().create(vals_list)
        for contract in contracts.filtered(lambda c: not c.next_period_start):
            contract.next_period_start = contract.date_start
        return contracts

    def write(self, vals):
        if "date_start" in vals and "next_period_start" not in vals:
            not_invoiced = self.filtered(lambda c: c.next_period_start == c.date_start)
            res = super().write(vals)
            not_invoiced.next_period_start = fields.Date.to_date(vals["date_start"])
            return res
        return super().write(vals)

    # ------------------------------------------------------------------
    # Periods and amounts
    # ------------------------------------------------------------------
    def _current_period(self, start):
        """The period that begins on ``start``: (start, end), cut at the contract's end."""
        self.ensure_one()
        return current_period(
            start, self.date_start, self._period_months(), self.period_alignment, self.date_end
        )

    def _prorata_factor(self, start, end):
        """The share of the periodic fee owed for the days ``start``..``end``.

        Each natural period the days fall in counts for its own days over its length, so a
        catch-up over two quarters of different length is still exact.
        """
        factor = 0.0
        day = start
        while day <= end:
            p_start, p_end = self._period_bounds(day)
            seg_end = min(end, p_end)
            factor += ((seg_end - day).days + 1) / ((p_end - p_start).days + 1)
            day = seg_end + timedelta(days=1)
        return factor

    def _line_segment(self, line, period_end):
        """The days of ``line`` to bill on the invoice of the period ending ``period_end``."""
        start = line.date_start
        if line.date_last_invoiced:
            start = max(start, line.date_last_invoiced + timedelta(days=1))
        end = period_end
        if line.date_end:
            end = min(end, line.date_end)
        return start, end

    def _format_period(self, start, end):
        return self.env._(
            "Period %(start)s - %(end)s",
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )

    def _get_quantity_to_invoice(self, line, factor):
        """(quantity, unit price) billing ``factor`` periods of ``line``.

        The fraction goes into the quantity, never into the unit price: 7 units at 10.00
        for 18 days of 28 are 4.5 units at 10.00, that is 45.00 (a unit price rounded to
        6.43 would give 45.01). When the quantity cannot carry the fraction exactly at the
        unit's precision (1 unit for 31 days of 92 is 0.336956... units), the amount is
        rounded once, as an amount, and billed as one unit at that price.
        """
        quantity = line.quantity * factor
        digits = self.env["decimal.precision"].precision_get("Product Unit")
        if float_is_zero(quantity - float_round(quantity, precision_digits=digits), 9):
            return quantity, line.price_unit
        return 1.0, self.currency_id.round(line.quantity * line.price_unit * factor)

    def _prepare_invoice_line_vals(self, line, start, end):
        """Values of the invoice line billing ``line`` for the days ``start``..``end``."""
        factor = self._prorata_factor(start, end)
        quantity, price_unit = self._get_quantity_to_invoice(line, factor)
        label = f"{line.name}\n{self._format_period(start, end)}"
        if abs(factor - round(factor)) > 1e-9 and quantity == 1.0 and line.quantity != 1.0:
            # the fraction could not go into the quantity: say how many units it bills
            label += " " + self.env._("(pro rata of %(qty)s units)", qty=f"{line.quantity:g}")
        elif abs(factor - round(factor)) > 1e-9:
            label += " " + self.env._("(pro rata)")
        vals = {
            "product_id": line.product_id.id,
            "name": label,
            "quantity": quantity,
            "product_uom_id": line.product_uom_id.id,
            "price_unit": price_unit,
            "discount": line.discount,
            "tax_ids": [Command.set(line.tax_ids.ids)],
            "aftersales_contract_line_id": line.id,
        }
        if self.analytic_distribution:
            vals["analytic_distribution"] = self.analytic_distribution
        return vals

    def _prepare_invoice_vals(self, period_start, period_end, invoice_date):
        """Header values of the invoice of one period (lines are added by the caller)."""
        self.ensure_one()
        vals = {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "partner_id": self.partner_invoice_id.id or self.partner_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": invoice_date,
            "invoice_origin": self.name,
            "ref": self.reference or self.name,
            "invoice_user_id": self.user_id.id,
            "aftersales_contract_id": self.id,
            "aftersales_period_start": period_start,
            "aftersales_period_end": period_end,
            "invoice_line_ids": [],
        }
        if self.payment_term_id:
            vals["invoice_payment_term_id"] = self.payment_term_id.id
        if self.fiscal_position_id:
            vals["fiscal_position_id"] = self.fiscal_position_id.id
        if self.journal_id:
            vals["journal_id"] = self.journal_id.id
        return vals

    def _prepare_period_invoice(self, invoice_date):
        """Everything one period needs: invoice values (or None) and what it invoices."""
        self.ensure_one()
        period_start, period_end = self._current_period(self.next_period_start)
        contract = self.with_context(lang=self.partner_id.lang or self.env.lang)
        vals = contract._prepare_invoice_vals(period_start, period_end, invoice_date)
        billed = {}
        for line in self.line_ids:
            if not line.product_id or line.date_start > period_end:
                continue
            start, end = self._line_segment(line, period_end)
            if start > end:
                continue
            billed[line] = end
            if line.price_unit:
                vals["invoice_line_ids"].append(
                    Command.create(contract._prepare_invoice_line_vals(line, start, end))
                )
        return {
            "contract": self,
            "period_end": period_end,
            "invoice_vals": vals if vals["invoice_line_ids"] else None,
            "billed_lines": billed,
        }

    def _mark_invoiced(self, plans):
        """Move the contracts and their lines past what ``plans`` invoiced, in few writes."""
        by_next = defaultdict(list)
        by_line_date = defaultdict(list)
        for plan in plans:
            by_next[plan["period_end"] + timedelta(days=1)].append(plan["contract"].id)
            for line, end in plan["billed_lines"].items():
                by_line_date[end].append(line.id)
        for next_start, ids in by_next.items():
            self.browse(ids).write({"next_period_start": next_start, "invoicing_error": False})
        for end, ids in by_line_date.items():
            self.env["aftersales.contract.line"].browse(ids).write({"date_last_invoiced": end})

    def _invoice_next_period(self, invoice_date):
        """Invoice the next due period of each contract of ``self``, in one batch.

        Returns the invoices and a dict {contract: error message} of the contracts that
        failed; those are left exactly as they were.
        """
        plans, errors = [], {}
        for contract in self:
            try:
                plans.append(contract._prepare_period_invoice(invoice_date))
            except Exception as error:  # noqa: BLE001 - recorded on the contract, run goes on
                errors[contract] = str(error)
        Move = self.env["account.move"].with_context(
            default_move_type="out_invoice", tracking_disable=True
        )

        def invoice(plans):
            vals_list = [plan["invoice_vals"] for plan in plans if plan["invoice_vals"]]
            moves = Move.create(vals_list) if vals_list else Move
            self._mark_invoiced(plans)
            return moves

        plan_of = {plan["contract"]: plan for plan in plans}
        results, failures = self._batch_then_one_by_one(
            invoice, plans, {contract: [plan] for contract, plan in plan_of.items()}
        )
        for contract, error in failures.items():
            errors[contract] = (
                self.env._(
                    "The period ending %(date)s has already been invoiced.",
                    date=format_date(self.env, plan_of[contract]["period_end"]),
                )
                if isinstance(error, psycopg2.errors.UniqueViolation)
                else str(error)
            )
        return Move.union(*results), errors

    def _due_domain(self, today):
        return Domain("state", "=", "active") & Domain("next_invoice_date", "<=", today)

    def _record_invoicing_errors(self, errors):
        now = fields.Datetime.now()
        for contract, message in errors.items():
            contract.write({"invoicing_error": message, "invoicing_error_date": now})
            _logger.warning("Contract %s could not be invoiced: %s", contract.name, message)

    def _post_invoices(self, moves):
        """Post ``moves`` when the company asks for posted contract invoices; returns
        {contract: error message} of the invoices that could not be posted."""
        to_post = moves.filtered(lambda m: m.company_id.aftersales_invoice_post)
        if not to_post:
            return {}
        _posted, failures = self._batch_then_one_by_one(
            lambda invoices: invoices._post(), to_post, to_post
        )
        return {move.aftersales_contract_id: str(error) for move, error in failures.items()}

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    def action_create_invoices(self):
        """Invoice every period due up to today for the selected contracts."""
        self._lock_for_manual_run(
            self.env._(
                "These contracts are being invoiced right now by the scheduled run."
                " Try again in a few minutes."
            )
        )
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "Contract %(name)s is not active: only active contracts are invoiced.",
                        name=contract.name,
                    )
                )
        today = fields.Date.context_today(self)
        moves = self.env["account.move"]
        pending = self.filtered_domain(self._due_domain(today))
        if not pending:
            raise UserError(self.env._("Nothing is due for invoicing today."))
        stalled = {}
        while pending:
            before = {contract: contract.next_period_start for contract in pending}
            new_moves, errors = pending._invoice_next_period(today)
            moves |= new_moves
            if errors:
                raise UserError("\n".join(errors.values()))
            stalled.update(pending._stalled(before))
            pending = pending.filtered(lambda c: c not in stalled).filtered_domain(
                self._due_domain(today)
            )
        errors = self._post_invoices(moves)
        if errors:
            raise UserError("\n".join(errors.values()))
        if stalled:
            return self._notify_stalled(stalled, moves)
        return self._action_view_invoices(moves)

    def _stalled(self, before):
        """{contract: error} for the contracts of ``self`` that an invoicing step did not
        move on: their first day not invoiced is still the one in ``before``.

        Invoicing the same period again would never end, so the loops stop on them.
        """
        return {
            contract: self.env._(
                "Invoicing made no progress on contract %(name)s: its period from %(date)s"
                " does not end after it starts. Check its dates and billing period.",
                name=contract.name,
                date=format_date(self.env, before[contract]),
            )
            for contract in self
            if contract.next_period_start <= before[contract]
        }

    def _notify_stalled(self, stalled, moves):
        """Record the contracts that made no progress, and tell the user."""
        self._record_invoicing_errors(stalled)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Some contracts could not be invoiced"),
                "message": "\n".join(stalled.values()),
                "type": "warning",
                "sticky": True,
                "next": self._action_view_invoices(moves)
                if moves
                else {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_create_invoices(self, batch_size=200):
        """Invoice every due period of every active contract, a batch at a time, in the
        loop of ``aftersales.cron.mixin``: commit, lock, re-check, work. A contract comes
        back in a later batch for its next period; one that fails or makes no progress
        is recorded on the contract and left to the next run."""
        today = fields.Date.context_today(self)
        due = self._due_domain(today)
        self._cron_in_batches(
            find=lambda skipped: self._cron_find(
                due & Domain("id", "not in", skipped), batch_size, order="next_invoice_date, id"
            ),
            # a concurrent run may have invoiced them between the search and the lock
            recheck=due,
            work=lambda contracts: (len(contracts), contracts._invoice_due_period(today)),
            record_errors=self._record_invoicing_errors,
        )

    def _invoice_due_period(self, today):
        """Invoice and post the next due period of ``self`` (locked by the cron); returns
        {contract: error} of those that failed or made no progress."""
        before = {contract: contract.next_period_start for contract in self}
        moves, errors = self._invoice_next_period(today)
        errors.update(self._post_invoices(moves))
        errors.update((self - self.browse().union(*errors))._stalled(before))
        return errors

    def _action_view_invoices(self, moves):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        if len(moves) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = moves.id
        return action

    def action_view_invoices(self):
        self.ensure_one()
        moves = self.env["account.move"].browse(self._invoices_and_credit_notes().get(self.id))
        return self._action_view_invoices(moves)
