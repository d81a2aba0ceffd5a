from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from .aftersales_field_policy import MANAGER_GROUP, system_writes


class AftersalesIntervention(models.Model):
    """Cancelling and deleting: recorded work stays recorded.

    An intervention whose work left a record elsewhere (a charge on a sale line, hours
    drawn from an hour bank, goods moved by a done transfer, timesheet lines, a
    confirmed purchase order) is never deleted, whatever its status says: the records
    are checked, not the status. A done intervention is taken back by *Cancel*
    (After-Sales managers), the one documented path: the hours go back to their bank
    through reversal moves (the ledger is only appended to), what was invoiced is
    credited through its orders (a credit note for the intervention's own lines, which
    a cancelled intervention no longer delivers), and what was not invoiced yet never
    will be. Refused, naming the document, when goods moved (a status does not bring
    them back: return them first) or when a draft invoice bills the intervention.
    """

    _inherit = "aftersales.intervention"

    # ------------------------------------------------------------------
    # Deleting
    # ------------------------------------------------------------------
    def _recorded_work(self):
        """What this intervention left in other records, in words, or ``False``."""
        self.ensure_one()
        # sudo: the facts are checked whoever deletes, whatever they may read
        intervention = self.sudo()
        sale_lines = intervention.charge_ids.sale_line_id
        if sale_lines:
            invoices = sale_lines.invoice_lines.move_id
            return self.env._(
                "it is billed on %(documents)s",
                documents=", ".join(
                    sale_lines.order_id.mapped("display_name") + invoices.mapped("display_name")
                ),
            )
        if intervention.hour_move_ids:
            return self.env._(
                "it drew hours from hour bank %(bank)s",
                bank=", ".join(intervention.hour_move_ids.contract_id.mapped("display_name")),
            )
        moves = intervention._done_stock_moves()
        if moves:
            return self.env._(
                "goods moved on %(transfers)s",
                transfers=", ".join(
                    (moves.picking_id.mapped("name") or moves.mapped("reference"))[:5]
                ),
            )
        if intervention.timesheet_ids:
            return self.env._("its technicians' hours are on timesheets")
        orders = intervention.purchase_order_ids.filtered(
            lambda o: o.state not in ("draft", "sent", "cancel")
        )
        if orders:
            return self.env._(
                "it is subcontracted on %(orders)s", orders=", ".join(orders.mapped("name"))
            )
        return False

    def _done_stock_moves(self):
        """The done stock moves of the intervention: materials, pick-ups, scraps."""
        moves = self.env["stock.move"].search(
            [("aftersales_intervention_id", "in", self.ids), ("state", "=", "done")]
        )
        return moves | self.scrap_ids.move_ids.filtered(lambda m: m.state == "done")

    @api.model
    def _not_returned(self, moves):
        """The done ``moves`` whose goods have not all come back by a done return."""
        return moves.filtered(
            lambda move: (
                float_compare(
                    sum(
                        move.returned_move_ids.filtered(lambda r: r.state == "done").mapped(
                            "product_qty"
                        )
                    ),
                    move.product_qty,
                    precision_rounding=move.product_id.uom_id.rounding,
                )
                < 0
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_work_recorded(self):
        for intervention in self:
            reason = intervention._recorded_work()
            if reason:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s cannot be deleted: %(reason)s, and those "
                        "records keep their intervention. Cancel it instead: its hours go "
                        "back to the hour bank and what was invoiced is credited.",
                        name=intervention.name,
                        reason=reason,
                    )
                )

    # ------------------------------------------------------------------
    # Cancelling a done intervention
    # ------------------------------------------------------------------
    def action_cancel(self):
        done = self.filtered(lambda i: i.state == "done")
        if not done:
            return super().action_cancel()
        done._check_cancel_done()
        super(AftersalesIntervention, self - done).action_cancel()
        credit_notes = done._cancel_done()
        if credit_notes and self.env.user.has_group("account.group_account_invoice"):
            return credit_notes._get_records_action(name=self.env._("Credit Notes"))
        return True

    def action_cancel_done(self):
        """*Cancel* of a done intervention (managers): see ``action_cancel``."""
        self._check_state(("done",), self.env._("Cancel"))
        return self.action_cancel()

    def _check_cancel_done(self):
        """Every check before a done intervention is cancelled; a failure writes
        nothing."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only After-Sales managers can cancel a done intervention.")
            )
        for intervention in self.sudo():
            moves = self._not_returned(intervention._done_stock_moves())
            if moves:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s moved goods on %(transfers)s: cancelling it "
                        "does not bring them back. Return them first (Return on the "
                        "transfer), then cancel.",
                        name=intervention.name,
                        transfers=", ".join(
                            moves.picking_id.mapped("name") or moves.mapped("reference")
                        ),
                    )
                )
            drafts = intervention.charge_ids.sale_line_id.invoice_lines.move_id.filtered(
                lambda m: m.state == "draft"
            )
            if drafts:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s is on draft invoice %(invoices)s: remove its "
                        "lines from that invoice, or delete the draft, then cancel.",
                        name=intervention.name,
                        invoices=", ".join(drafts.mapped("display_name")),
                    )
                )

    def _cancel_done(self):
        """Cancel done interventions (checked by ``_check_cancel_done``): give their
        hours back (``contract._hour_bank_give_back``, which also arms the low-balance
        alert again), credit what was invoiced. Returns the credit notes."""
        system = self.sudo()
        sale_lines = system.charge_ids.sale_line_id
        with system_writes():
            self.write({"state": "cancel"})
        consumption = system._hour_bank_consumption()
        hours_back = defaultdict(float)
        for move in consumption.contract_id._hour_bank_give_back(consumption).moves:
            hours_back[move.intervention_id.id] += move.hours
        # cancelled, the interventions deliver nothing: what their lines invoiced is
        # now to be credited, and nothing else is left to invoice on them
        credit_notes = sale_lines.order_id._aftersales_credit_lines(sale_lines)
        for intervention in system:
            lines = intervention.charge_ids.sale_line_id
            credited = credit_notes.filtered(
                lambda m, lines=lines: m.line_ids.sale_line_ids & lines
            )
            intervention.message_post(
                body=self.env._(
                    "Cancelled after it was done. Hours given back to the hour bank: "
                    "%(hours)s h. Credit notes: %(credit_notes)s.",
                    hours="%g" % round(hours_back[intervention.id], 2),
                    credit_notes=", ".join(credited.mapped("display_name"))
                    or self.env._("none, nothing was invoiced"),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return credit_notes

    def action_draft(self):
        billed = self.filtered(lambda i: i.sudo().charge_ids.sale_line_id)
        if billed:
            raise UserError(
                self.env._(
                    "Intervention %(name)s was billed before it was cancelled: it stays "
                    "cancelled. Plan a new intervention for the work left to do.",
                    name=billed[0].name,
                )
            )
        return super().action_draft()
