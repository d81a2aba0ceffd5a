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
        # The months from the first move to the last are stored by the ledger
        # (aftersales.hour.bank.month); the months after the last move, which depend on
        # today, carry its balance until the current month or the bank's end.
        return SQL(
            """
            SELECT (b.contract_id::bigint * 100000
                    + EXTRACT(YEAR FROM b.month)::bigint * 12
                    + EXTRACT(MONTH FROM b.month)::bigint) AS id,
                   b.contract_id, c.company_id, c.commercial_partner_id AS partner_id,
                   b.month AS date,
                   b.bought_hours, b.carried_in_hours, b.consumed_hours, b.expired_hours,
                   b.carried_out_hours, b.remaining_hours
              FROM aftersales_hour_bank_month b
              JOIN aftersales_contract c ON c.id = b.contract_id
             UNION ALL
            SELECT (b.contract_id::bigint * 100000
                    + EXTRACT(YEAR FROM g.month)::bigint * 12
                    + EXTRACT(MONTH FROM g.month)::bigint) AS id,
                   b.contract_id, c.company_id, c.commercial_partner_id AS partner_id,
                   g.month::date AS date,
                   0.0, 0.0, 0.0, 0.0, 0.0, b.remaining_hours
              FROM aftersales_hour_bank_month b
              JOIN aftersales_contract c ON c.id = b.contract_id
             CROSS JOIN LATERAL generate_series(
                   b.month + interval '1 month',
                   LEAST(
                       date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                       COALESCE(date_trunc('month', c.date_end::timestamp)::date,
                                'infinity'::date)),
                   interval '1 month') AS g(month)
             WHERE b.is_last
            """
        )
