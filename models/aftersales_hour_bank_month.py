from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesHourBankMonth(models.Model):
    """An hour bank's ledger summed by month, kept by the ledger itself.

    One row per bank and month, from the month of its first move to the month of its
    last: what was bought, carried in, consumed, expired and carried out that month,
    and the hours left at its end (a month without moves carries the balance). The
    hour-bank report reads these rows instead of summing the ledger and running the
    balance at every opening; it adds the months after the last move itself (until the
    current month or the bank's end), since they depend on today.

    Written only by ``_refresh`` (from the ledger's create, write and unlink), in SQL:
    nobody has write access. A row belongs to its bank's company."""

    _name = "aftersales.hour.bank.month"
    _description = "Hour Bank Month"
    _inherit = ["aftersales.field.policy"]
    _order = "contract_id, month"
    _log_access = False

    contract_id = fields.Many2one(
        "aftersales.contract",
        string="Hour Bank",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, readonly=True
    )
    month = fields.Date(required=True, readonly=True, help="The first day of the month.")
    bought_hours = fields.Float(string="Bought (h)", readonly=True)
    carried_in_hours = fields.Float(string="Carried In (h)", readonly=True)
    consumed_hours = fields.Float(string="Consumed (h)", readonly=True)
    expired_hours = fields.Float(string="Expired (h)", readonly=True)
    carried_out_hours = fields.Float(string="Carried Out (h)", readonly=True)
    remaining_hours = fields.Float(string="Remaining (h)", readonly=True)
    is_last = fields.Boolean(
        readonly=True, help="The month of the bank's last move: the report continues from it."
    )

    _contract_month_unique = models.UniqueIndex("(contract_id, month)")

    @api.model
    def _refresh(self, contract_ids):
        """Rebuild the rows of the banks ``contract_ids`` from their ledgers (a bank's
        ledger is a few dozen moves: rebuilding is cheaper than patching, and exact)."""
        contract_ids = sorted(set(contract_ids))
        if not contract_ids:
            return
        self.env["aftersales.hour.move"].flush_model()
        self.env["aftersales.contract"].flush_model(["company_id"])
        cr = self.env.cr
        # one writer per bank at a time: two ledgers moving together would both rebuild
        cr.execute(
            SQL(
                "SELECT id FROM aftersales_contract WHERE id = ANY(%s) ORDER BY id"
                " FOR NO KEY UPDATE",
                contract_ids,
            )
        )
        cr.execute(
            SQL("DELETE FROM aftersales_hour_bank_month WHERE contract_id = ANY(%s)", contract_ids)
        )
        cr.execute(
            SQL(
                """
                INSERT INTO aftersales_hour_bank_month
                    (contract_id, company_id, month, bought_hours, carried_in_hours,
                     consumed_hours, expired_hours, carried_out_hours, remaining_hours, is_last)
                WITH monthly AS (
                    SELECT m.contract_id,
                           date_trunc('month', m.date::timestamp)::date AS month,
                           SUM(CASE WHEN m.kind IN ('purchase', 'topup') THEN m.hours ELSE 0 END)
                               AS bought,
                           SUM(CASE WHEN m.kind = 'carry_in' THEN m.hours ELSE 0 END)
                               AS carried_in,
                           SUM(CASE WHEN m.kind IN ('consumption', 'reversal')
                                    THEN -m.hours ELSE 0 END) AS consumed,
                           SUM(CASE WHEN m.kind = 'expiry' THEN -m.hours ELSE 0 END) AS expired,
                           SUM(CASE WHEN m.kind = 'carry_out' THEN -m.hours ELSE 0 END)
                               AS carried_out,
                           SUM(m.hours) AS balance
                      FROM aftersales_hour_move m
                     WHERE m.contract_id = ANY(%(ids)s)
                     GROUP BY 1, 2
                ), running AS (
                    -- the balance at the end of each month with moves, and the next one
                    SELECT mo.*,
                           SUM(mo.balance) OVER w AS remaining,
                           LEAD(mo.month) OVER w AS next_month
                      FROM monthly mo
                    WINDOW w AS (PARTITION BY mo.contract_id ORDER BY mo.month)
                )
                -- a month with moves stands for itself and the months without moves
                -- until the next month with moves
                SELECT r.contract_id, c.company_id, g.month::date,
                       CASE WHEN g.month = r.month THEN r.bought ELSE 0 END,
                       CASE WHEN g.month = r.month THEN r.carried_in ELSE 0 END,
                       CASE WHEN g.month = r.month THEN r.consumed ELSE 0 END,
                       CASE WHEN g.month = r.month THEN r.expired ELSE 0 END,
                       CASE WHEN g.month = r.month THEN r.carried_out ELSE 0 END,
                       r.remaining,
                       r.next_month IS NULL
                  FROM running r
                  JOIN aftersales_contract c ON c.id = r.contract_id
                 CROSS JOIN LATERAL generate_series(
                       r.month,
                       COALESCE(r.next_month - interval '1 month', r.month),
                       interval '1 month') AS g(month)
                """,
                ids=contract_ids,
            )
        )
        self.invalidate_model()
