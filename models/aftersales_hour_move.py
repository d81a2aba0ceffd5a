from odoo import api, fields, models
from odoo.exceptions import UserError

from .aftersales_intervention_time import BANK_LABOUR_KINDS

HOUR_MOVE_KINDS = [
    ("purchase", "Hours Bought"),
    ("topup", "Top-up"),
    ("carry_in", "Carried Over from the Previous Term"),
    ("consumption", "Consumption"),
    ("reversal", "Given Back"),
    ("expiry", "Expiry"),
    ("carry_out", "Carried Over to the Renewal"),
]


class AftersalesHourMove(models.Model):
    """One line of an hour bank's ledger: hours in (bought, topped up, carried over) or
    out (consumed, expired, carried to the renewal). The balance of a bank is the sum of
    its moves, which the month summary (``aftersales.hour.bank.month``) keeps: this
    model's create, write and unlink rebuild it in the same transaction.

    Moves are written by the contract's API only (``_hour_bank_top_up``,
    ``_hour_bank_draw``, ``_hour_bank_give_back``, ``_hour_bank_close``), which locks
    the bank, writes its moves in one batch, returns what was covered and what was not,
    and checks the low-balance alert again. Nobody edits a move: a consumption drawn
    again (the intervention's hours changed) or taken back (the intervention cancelled,
    or no longer paid by the bank) is given back by a reversal move, written by the
    same API, so the ledger keeps what was drawn, when and why."""

    _name = "aftersales.hour.move"
    _inherit = ["aftersales.field.policy"]
    # The ledger is written by the contract's API only, and never edited.
    _system_fields = (
        "contract_id",
        "date",
        "kind",
        "name",
        "hours",
        "labour_kind",
        "worked_hours",
        "ticket_id",
        "intervention_id",
        "user_id",
        "reversed_move_id",
    )
    _description = "Hour Bank Move"
    _order = "date desc, id desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "aftersales.contract",
        string="Hour Bank",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    kind = fields.Selection(HOUR_MOVE_KINDS, required=True)
    name = fields.Char(string="Description")
    hours = fields.Float(
        required=True, help="Bank hours: positive when added, negative when drawn."
    )
    labour_kind = fields.Selection(BANK_LABOUR_KINDS)
    worked_hours = fields.Float(
        help="Hours worked of this kind of labour, before conversion into bank hours."
    )
    ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", check_company=True)
    # the ledger keeps what the hours were for: an intervention that drew hours stays
    intervention_id = fields.Many2one(
        "aftersales.intervention", index="btree_not_null", check_company=True, ondelete="restrict"
    )
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    reversed_move_id = fields.Many2one(
        "aftersales.hour.move",
        string="Gives Back",
        index="btree_not_null",
        ondelete="restrict",
        help="The consumption this move gives back to the bank.",
    )
    reversal_ids = fields.One2many(
        "aftersales.hour.move", "reversed_move_id", string="Given Back By"
    )

    _sign_matches_kind = models.Constraint(
        "CHECK ((kind IN ('purchase', 'topup', 'carry_in', 'reversal') AND hours > 0)"
        " OR (kind IN ('consumption', 'expiry', 'carry_out') AND hours < 0))",
        "Hours added to a bank must be positive, hours drawn from it negative.",
    )
    _reversal_of_consumption = models.Constraint(
        "CHECK ((kind = 'reversal') = (reversed_move_id IS NOT NULL))",
        "A move gives back a consumption if and only if it is a reversal.",
    )
    # a consumption is given back once
    _reversed_once = models.UniqueIndex("(reversed_move_id) WHERE reversed_move_id IS NOT NULL")

    # The month-by-month summary the hour-bank report reads follows the ledger.
    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        self.env["aftersales.hour.bank.month"]._refresh(moves.contract_id.ids)
        return moves

    def write(self, vals):
        contracts = self.contract_id
        result = super().write(vals)
        self.env["aftersales.hour.bank.month"]._refresh((contracts | self.contract_id).ids)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        """The ledger is only appended to: hours drawn are given back by a reversal
        (cancelling the intervention), hours bought expire at the end of the term."""
        if self:
            raise UserError(
                self.env._(
                    "Hour bank moves cannot be deleted (%(move)s): the ledger keeps every "
                    "move. Hours drawn by an intervention are given back by cancelling it.",
                    move=self[0].name or self[0].contract_id.display_name,
                )
            )

    def unlink(self):
        contracts = self.contract_id
        result = super().unlink()
        self.env["aftersales.hour.bank.month"]._refresh(contracts.exists().ids)
        return result
