from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesHourBankReport(models.Model):
    """Hour banks, one row per hour bank and month, from the ledger
    (``aftersales.hour.move``): hours bought (bought and topped up), carried in,
    consumed, expired and carried out in the month, and the hours remaining at the end
    of the month (the running balance of the ledger).

    Every month from the bank's first move to the current month (or its last move, or
    its end) has a row, so that a month without moves still shows what remains. The
    remaining hours add up across banks within a month, not across months.
    """

    _name = "aftersales.hour.bank.report"
    _inherit = ["aftersales.report.mixin"]
    _description = "Hour Bank Analysis"
    _auto = False
    _order = "date desc, contract_id"
    _rec_name = "contract_id"

    # flushed before the view is read
    _depends = {
        "aftersales.hour.move": ["contract_id", "date", "kind", "hours"],
        "aftersales.contract": ["company_id", "commercial_partner_id", "date_end"],
    }

    contract_id = fields.Many2one("aftersales.contract", string="Hour Bank", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date = fields.Date(string="Month", readonly=True)
    bought_hours = fields.Float(string="Bought (h)", readonly=True)
    carried_in_hours = fields.Float(string="Carried In (h)", readonly=True)
    consumed_hours = fields.Float(string="Consumed (h)", readonly=True)
    expired_hours = fields.Float(string="Expired (h)", readonly=True)
    carried_out_hours = fields.Float(string="Carried Out (h)", readonly=True)
    remaining_hours = fields.Float(
        string="Remaining (h)",
        readonly=True,
        help="Hours left in the bank at the end of the month.",
    )

    @api.model
    def _view_query(self):
        return SQL(
            """
            WITH monthly AS (
                SELECT m.contract_id, date_trunc('month', m.date::timestamp)::date AS month,
                       SUM(CASE WHEN m.kind IN ('purchase', 'topup') THEN m.hours ELSE 0 END)
                           AS bought,
                       SUM(CASE WHEN m.kind = 'carry_in' THEN m.hours ELSE 0 END) AS carried_in,
                       SUM(CASE WHEN m.kind = 'consumption' THEN -m.hours ELSE 0 END)
                           AS consumed,
                       SUM(CASE WHEN m.kind = 'expiry' THEN -m.hours ELSE 0 END) AS expired,
                       SUM(CASE WHEN m.kind = 'carry_out' THEN -m.hours ELSE 0 END)
                           AS carried_out,
                       SUM(m.hours) AS balance
                  FROM aftersales_hour_move m
                 GROUP BY 1, 2
            ), running AS (
                -- the balance at the end of each month with moves, and the next such month
                SELECT mo.*,
                       SUM(mo.balance) OVER w AS remaining,
                       LEAD(mo.month) OVER w AS next_month
                  FROM monthly mo
                WINDOW w AS (PARTITION BY mo.contract_id ORDER BY mo.month)
            )
            -- each month with moves stands for itself and the months without moves
            -- after it: until the next month with moves, else the current month (or the
            -- bank's end)
            SELECT (r.contract_id::bigint * 100000
                    + EXTRACT(YEAR FROM g.month)::bigint * 12
                    + EXTRACT(MONTH FROM g.month)::bigint) AS id,
                   r.contract_id, c.company_id, c.commercial_partner_id AS partner_id,
                   g.month::date AS date,
                   CASE WHEN g.month = r.month THEN r.bought ELSE 0 END AS bought_hours,
                   CASE WHEN g.month = r.month THEN r.carried_in ELSE 0 END AS carried_in_hours,
                   CASE WHEN g.month = r.month THEN r.consumed ELSE 0 END AS consumed_hours,
                   CASE WHEN g.month = r.month THEN r.expired ELSE 0 END AS expired_hours,
                   CASE WHEN g.month = r.month THEN r.carried_out ELSE 0 END
                       AS carried_out_hours,
                   r.remaining AS remaining_hours
              FROM running r
              JOIN aftersales_contract c ON c.id = r.contract_id
             CROSS JOIN LATERAL generate_series(
                   r.month,
                   COALESCE(
                       r.next_month - interval '1 month',
                       GREATEST(r.month, LEAST(
                           date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                           COALESCE(date_trunc('month', c.date_end::timestamp)::date,
                                    'infinity'::date)))
                   ),
                   interval '1 month') AS g(month)
            """
        )
