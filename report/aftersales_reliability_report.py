from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.aftersales_contract_margin import fee_lines_query

DAYS_PER_YEAR = 365.25


class AftersalesReliabilityReport(models.Model):
    """Equipment reliability: one row per serial in service and company, grouped by model.

    * **Company.** Every row belongs to one company and sums that company's work and
      fees only. A serial of a company is in service with that company. A serial
      without a company (Odoo's default) is in service with every company that worked
      on it, covers it by contract, delivered it or has its customer, with one row
      each; a serial none of them knows (registered by hand or imported, idle since)
      is in service with the company of the user who recorded it.
    * **In service** from the serial's delivery date (the warranty registry's
      ``aftersales_delivery_date``, set at delivery or installation) until today;
      machine-years are those days / 365.25.
    * **Calls** are corrective interventions that are not cancelled, counted once per
      ticket (a return visit for the same ticket is the same failure); a corrective
      intervention without a ticket is a call of its own. Preventive, installation,
      remote and lab work are not failures.
    * **MTBF** = days in service / calls: the mean time between corrective calls since
      delivery, so a machine with no call yet has none.
    * **MTTR** = hours from actual start to actual finish of the done corrective
      interventions / their number (on-site repair time, ``actual_duration``).
    * **Cost to serve** = the stored cost of every done intervention on the serial
      (corrective and preventive alike); **earned** = the contract fees attributed to
      the serial plus its interventions' billed revenue. A contract's posted fee is
      split evenly between the serials its lines cover.
    * Per machine-year figures divide the sums by machine-years.

    Every ratio is computed from the group's sums (see ``aftersales.report.ratio``), so
    a model's MTBF is its serials' days in service over their calls, not an average of
    averages.
    """

    _name = "aftersales.reliability.report"
    _inherit = ["aftersales.report.ratio"]
    _description = "Equipment Reliability Analysis"
    _auto = False
    _order = "balance, calls_per_year desc, id"
    _rec_name = "lot_id"
    _ratio_fields = {
        "mtbf_days": ("days_in_service", "calls", 1.0),
        "mttr_hours": ("repair_hours", "repairs", 1.0),
        "calls_per_year": ("calls", "machine_years", 1.0),
        "cost_per_year": ("cost_to_serve", "machine_years", 1.0),
        "fee_per_year": ("fee", "machine_years", 1.0),
        "earned_per_year": ("earned", "machine_years", 1.0),
    }

    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    product_id = fields.Many2one("product.product", string="Model", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_delivery = fields.Date(string="In Service Since", readonly=True)
    days_in_service = fields.Integer(readonly=True)
    machine_years = fields.Float(readonly=True, digits=(16, 2))
    calls = fields.Integer(string="Corrective Calls", readonly=True)
    repairs = fields.Integer(string="Repairs Done", readonly=True)
    repair_hours = fields.Float(readonly=True)
    mtbf_days = fields.Float(string="MTBF (days)", readonly=True, digits=(16, 1), aggregator="avg")
    mttr_hours = fields.Float(string="MTTR (h)", readonly=True, digits=(16, 2), aggregator="avg")
    calls_per_year = fields.Float(
        string="Calls per Machine-Year", readonly=True, digits=(16, 2), aggregator="avg"
    )
    cost_to_serve = fields.Monetary(readonly=True)
    fee = fields.Monetary(string="Contract Fees", readonly=True)
    revenue_service = fields.Monetary(string="Service Revenue", readonly=True)
    earned = fields.Monetary(readonly=True, help="Contract fees and billed interventions.")
    balance = fields.Monetary(
        readonly=True, help="Earned less cost to serve: negative when it costs more than it earns."
    )
    cost_per_year = fields.Monetary(string="Cost per Machine-Year", readonly=True, aggregator="avg")
    fee_per_year = fields.Monetary(string="Fee per Machine-Year", readonly=True, aggregator="avg")
    earned_per_year = fields.Monetary(
        string="Earned per Machine-Year", readonly=True, aggregator="avg"
    )

    def _query(self, lot_ids=None, company_ids=None):
        """The report's rows; with ``lot_ids``, only those serials' rows, with the filter
        inside each step so that the serial form reads a few rows through indexes
        instead of computing the whole fleet; with ``company_ids``, only the rows of
        those companies."""
        if lot_ids is None:
            lots = work = covered = moves = SQL("")
            contracts = None
        else:
            ids = list(lot_ids)
            lots = SQL("AND l.id = ANY(%s)", ids)
            work = SQL("AND i.lot_id = ANY(%s)", ids)
            moves = SQL("AND ml.lot_id = ANY(%s)", ids)
            contracts = SQL(
                "SELECT contract_id FROM aftersales_contract_line WHERE lot_id = ANY(%s)", ids
            )
            covered = SQL("AND contract_id IN (%s)", contracts)
        companies = SQL("")
        if company_ids is not None:
            companies = SQL("WHERE s.company_id = ANY(%s)", list(company_ids))
        return SQL(
            """
            WITH work AS (
                SELECT i.lot_id, i.company_id,
                       COUNT(DISTINCT COALESCE(-i.ticket_id, i.id)) FILTER (
                           WHERE i.intervention_type = 'corrective' AND i.state != 'cancel'
                       ) AS calls,
                       COUNT(*) FILTER (
                           WHERE i.intervention_type = 'corrective' AND i.state = 'done'
                       ) AS repairs,
                       SUM(i.actual_duration) FILTER (
                           WHERE i.intervention_type = 'corrective' AND i.state = 'done'
                       ) AS repair_hours,
                       SUM(i.cost_total) FILTER (WHERE i.state = 'done') AS cost_to_serve,
                       SUM(i.revenue) FILTER (WHERE i.state = 'done') AS revenue_service
                  FROM aftersales_intervention i
                 WHERE i.lot_id IS NOT NULL %(work)s
                 GROUP BY i.lot_id, i.company_id
            ),
            covered AS (
                SELECT DISTINCT contract_id, lot_id, company_id
                  FROM aftersales_contract_line
                 WHERE lot_id IS NOT NULL %(covered)s
            ),
            contract_fee AS (
                SELECT fee.contract_id, SUM(-fee.balance) AS fee
                  FROM (%(fee_lines)s) fee
                 WHERE fee.contract_id IN (SELECT contract_id FROM covered)
                 GROUP BY fee.contract_id
            ),
            lot_fee AS (
                SELECT cv.lot_id, cv.company_id, SUM(cf.fee / n.serials) AS fee
                  FROM covered cv
                  JOIN contract_fee cf ON cf.contract_id = cv.contract_id
                  JOIN (SELECT contract_id, COUNT(*) AS serials FROM covered GROUP BY contract_id) n
                    ON n.contract_id = cv.contract_id
                 GROUP BY cv.lot_id, cv.company_id
            ),
            known AS (
                -- the companies that know a serial without a company: they worked on
                -- it, cover it, delivered it or have its customer
                SELECT i.lot_id, i.company_id
                  FROM aftersales_intervention i
                 WHERE i.lot_id IS NOT NULL %(work)s
                 UNION ALL
                SELECT lot_id, company_id FROM covered
                 UNION ALL
                SELECT ml.lot_id, ml.company_id
                  FROM stock_move_line ml
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.lot_id IS NOT NULL AND ml.state = 'done'
                   AND dest.usage = 'customer' %(moves)s
                 UNION ALL
                SELECT l.id, cust.company_id
                  FROM stock_lot l
                  JOIN res_partner cust ON cust.id = l.aftersales_customer_id
                 WHERE cust.company_id IS NOT NULL %(lots)s
            ),
            served AS (
                -- the companies a serial is in service with: its own; else those that
                -- know it; else the company of the user who recorded it
                SELECT DISTINCT l.id AS lot_id,
                       COALESCE(l.company_id, k.company_id, creator.company_id,
                                (SELECT MIN(id) FROM res_company)) AS company_id
                  FROM stock_lot l
                  LEFT JOIN known k ON k.lot_id = l.id AND l.company_id IS NULL
                  LEFT JOIN res_users creator ON creator.id = l.create_uid
                 WHERE l.aftersales_delivery_date IS NOT NULL %(lots)s
            ),
            base AS (
                SELECT l.id::bigint * 1000000 + s.company_id AS id,
                       l.id AS lot_id,
                       l.product_id,
                       s.company_id,
                       l.aftersales_customer_id AS partner_id,
                       l.aftersales_delivery_date AS date_delivery,
                       GREATEST(CURRENT_DATE - l.aftersales_delivery_date, 0) AS days_in_service,
                       COALESCE(w.calls, 0) AS calls,
                       COALESCE(w.repairs, 0) AS repairs,
                       COALESCE(w.repair_hours, 0.0) AS repair_hours,
                       COALESCE(w.cost_to_serve, 0.0) AS cost_to_serve,
                       COALESCE(w.revenue_service, 0.0) AS revenue_service,
                       COALESCE(f.fee, 0.0) AS fee
                  FROM served s
                  JOIN stock_lot l ON l.id = s.lot_id
                  LEFT JOIN work w ON w.lot_id = s.lot_id AND w.company_id = s.company_id
                  LEFT JOIN lot_fee f ON f.lot_id = s.lot_id AND f.company_id = s.company_id
                  %(companies)s
            )
            SELECT b.*,
                   rc.currency_id,
                   b.days_in_service / %(year)s AS machine_years,
                   b.fee + b.revenue_service AS earned,
                   b.fee + b.revenue_service - b.cost_to_serve AS balance,
                   b.days_in_service::float / NULLIF(b.calls, 0) AS mtbf_days,
                   b.repair_hours / NULLIF(b.repairs, 0) AS mttr_hours,
                   b.calls / NULLIF(b.days_in_service / %(year)s, 0) AS calls_per_year,
                   b.cost_to_serve / NULLIF(b.days_in_service / %(year)s, 0) AS cost_per_year,
                   b.fee / NULLIF(b.days_in_service / %(year)s, 0) AS fee_per_year,
                   (b.fee + b.revenue_service) / NULLIF(b.days_in_service / %(year)s, 0)
                       AS earned_per_year
              FROM base b
              JOIN res_company rc ON rc.id = b.company_id
            """,
            fee_lines=fee_lines_query(contracts),
            lots=lots,
            work=work,
            covered=covered,
            moves=moves,
            companies=companies,
            year=SQL(f"{DAYS_PER_YEAR}::numeric"),
        )

    def _rows_for_lots(self, lot_ids, company):
        """``{lot id: row}`` of the report for these serials in ``company``, as the
        report computes them."""
        if not lot_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(self._query(lot_ids, company.ids))
        return {row["lot_id"]: row for row in self.env.cr.dictfetchall()}

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
