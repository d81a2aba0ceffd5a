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
            ), bounds AS (
                SELECT contract_id, MIN(month) AS first_month, MAX(month) AS last_month
                  FROM monthly
                 GROUP BY contract_id
            ), span AS (
                SELECT b.contract_id, b.first_month,
                       GREATEST(b.last_month, LEAST(
                           date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                           COALESCE(date_trunc('month', c.date_end::timestamp)::date,
                                    'infinity'::date)
                       )) AS last_month
                  FROM bounds b
                  JOIN aftersales_contract c ON c.id = b.contract_id
            ), grid AS (
                SELECT s.contract_id, g.month::date AS month
                  FROM span s
                 CROSS JOIN LATERAL generate_series(
                       s.first_month, s.last_month, interval '1 month') AS g(month)
            )
            SELECT ROW_NUMBER() OVER (ORDER BY grid.contract_id, grid.month) AS id,
                   grid.contract_id, c.company_id, c.commercial_partner_id AS partner_id,
                   grid.month AS date,
                   COALESCE(mo.bought, 0) AS bought_hours,
                   COALESCE(mo.carried_in, 0) AS carried_in_hours,
                   COALESCE(mo.consumed, 0) AS consumed_hours,
                   COALESCE(mo.expired, 0) AS expired_hours,
                   COALESCE(mo.carried_out, 0) AS carried_out_hours,
                   SUM(COALESCE(mo.balance, 0)) OVER (
                       PARTITION BY grid.contract_id ORDER BY grid.month
                   ) AS remaining_hours
              FROM grid
              JOIN aftersales_contract c ON c.id = grid.contract_id
              LEFT JOIN monthly mo
                ON mo.contract_id = grid.contract_id AND mo.month = grid.month
            """
        )
