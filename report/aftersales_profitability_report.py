from odoo import api, fields, models
from odoo.tools import SQL

from ..models.aftersales_contract_margin import fee_lines_query
from ..models.aftersales_coverage_mixin import COVERAGE_KINDS
from ..models.aftersales_intervention import INTERVENTION_TYPES

# Monetary measures of an intervention, in its company's currency, stored by the costing.
INTERVENTION_MEASURES = (
    "revenue",
    "cost_time",
    "cost_travel",
    "cost_materials",
    "cost_expenses",
    "cost_subcontract",
    "cost_total",
)


class AftersalesProfitabilityReport(models.Model):
    """Profitability per contract, customer, technician and month.

    Two kinds of rows, summed together:

    * **Contract fees**: one row per posted customer invoice or credit note line that
      bills a contract, dated by the invoice's accounting date. A line bills a contract
      when it carries the contract line (the periodic invoices), when it invoices the
      sale order line the contract line comes from (a contract sold on an order), or
      when it sells the contract line's fee product on the invoice that generated the
      contract. Revenue is the line's untaxed balance in the company's currency, so a
      credit note deducts itself.
    * **Interventions**: done interventions, dated by their finish, with the revenue of
      their charge lines' posted invoice lines and the costs the costing stored on them
      (labour at the employee's cost from the timesheets, travel, materials at stock
      valuation, expenses, subcontracting).

    An intervention done by several technicians is split evenly between them; the cent
    that rounding leaves over goes to the first technician (lowest id), so the rows of
    one intervention add up exactly to its own figures. One without technicians (a
    subcontractor's) has one row without technician. Fees have no technician.

    Margin % is computed from the sums (``100 * margin / revenue``) at every grouping
    level, never averaged.
    """

    _name = "aftersales.profitability.report"
    _inherit = ["aftersales.report.mixin", "aftersales.report.ratio"]
    _description = "After-Sales Profitability Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "date"
    _ratio_fields = {"margin_percent": ("margin", "revenue", 100.0)}

    date = fields.Date(readonly=True)
    line_type = fields.Selection(
        [("fee", "Contract Fee"), ("intervention", "Intervention")],
        string="Source",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    contract_id = fields.Many2one("aftersales.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Technician", readonly=True)
    intervention_id = fields.Many2one("aftersales.intervention", readonly=True)
    intervention_type = fields.Selection(INTERVENTION_TYPES, readonly=True)
    coverage_kind = fields.Selection(COVERAGE_KINDS, string="Coverage", readonly=True)
    product_id = fields.Many2one("product.product", string="Equipment", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    technician_share = fields.Float(
        readonly=True,
        digits=(16, 4),
        help="The part of the intervention counted for this technician (1 / technicians).",
    )
    revenue_fee = fields.Monetary(string="Fee Revenue", readonly=True)
    revenue_service = fields.Monetary(
        string="Service Revenue", readonly=True, help="Interventions and materials billed."
    )
    revenue = fields.Monetary(readonly=True)
    cost_time = fields.Monetary(string="Labour Cost", readonly=True)
    cost_travel = fields.Monetary(string="Travel Cost", readonly=True)
    cost_materials = fields.Monetary(string="Materials Cost", readonly=True)
    cost_expenses = fields.Monetary(string="Expenses Cost", readonly=True)
    cost_subcontract = fields.Monetary(string="Subcontracting Cost", readonly=True)
    cost_total = fields.Monetary(string="Cost", readonly=True)
    margin = fields.Monetary(readonly=True)
    margin_percent = fields.Float(string="Margin (%)", readonly=True, aggregator="avg")

    def _select_fee(self):
        return SQL(
            """
            SELECT -fee.aml_id AS id,
                   'fee' AS line_type,
                   fee.date AS date,
                   fee.company_id AS company_id,
                   fee.currency_id AS currency_id,
                   c.id AS contract_id,
                   c.commercial_partner_id AS partner_id,
                   NULL::integer AS team_id,
                   NULL::integer AS employee_id,
                   NULL::integer AS intervention_id,
                   NULL::varchar AS intervention_type,
                   NULL::varchar AS coverage_kind,
                   NULL::integer AS product_id,
                   NULL::integer AS lot_id,
                   0.0 AS technician_share,
                   -fee.balance AS revenue_fee,
                   0.0 AS revenue_service,
                   -fee.balance AS revenue,
                   0.0 AS cost_time,
                   0.0 AS cost_travel,
                   0.0 AS cost_materials,
                   0.0 AS cost_expenses,
                   0.0 AS cost_subcontract,
                   0.0 AS cost_total,
                   -fee.balance AS margin,
                   100.0 AS margin_percent
              FROM (%s) fee
              JOIN aftersales_contract c ON c.id = fee.contract_id
            """,
            fee_lines_query(),
        )

    def _select_intervention(self):
        def share(column):
            # even split, the rounding cents on the first technician
            return SQL(
                """CASE WHEN t.n IS NULL OR t.n = 1 THEN COALESCE(i.%(col)s, 0)
                        WHEN t.rank = 1
                        THEN COALESCE(i.%(col)s, 0)
                             - (t.n - 1) * ROUND(COALESCE(i.%(col)s, 0) / t.n, 2)
                        ELSE ROUND(COALESCE(i.%(col)s, 0) / t.n, 2) END""",
                col=SQL.identifier(column),
            )

        measures = SQL(",\n").join(
            SQL("%s AS %s", share(name), SQL.identifier(name)) for name in INTERVENTION_MEASURES
        )
        return SQL(
            """
            SELECT i.id::bigint * 1000000 + COALESCE(t.employee_id, 0) AS id,
                   'intervention' AS line_type,
                   COALESCE(i.date_end, i.date_start, i.date_planned_start, i.create_date)::date
                       AS date,
                   i.company_id,
                   rc.currency_id,
                   i.contract_id,
                   i.commercial_partner_id AS partner_id,
                   i.team_id,
                   t.employee_id,
                   i.id AS intervention_id,
                   i.intervention_type,
                   i.coverage_kind,
                   i.product_id,
                   i.lot_id,
                   COALESCE(1.0 / t.n, 1.0) AS technician_share,
                   0.0 AS revenue_fee,
                   m.revenue AS revenue_service,
                   m.revenue,
                   m.cost_time,
                   m.cost_travel,
                   m.cost_materials,
                   m.cost_expenses,
                   m.cost_subcontract,
                   m.cost_total,
                   m.revenue - m.cost_total AS margin,
                   COALESCE(i.margin_percent, 0.0) AS margin_percent
              FROM aftersales_intervention i
              JOIN res_company rc ON rc.id = i.company_id
              LEFT JOIN aftersales_intervention_hr_employee_rel rel
                ON rel.aftersales_intervention_id = i.id
              -- the technicians are counted on the intervention (technician_count); the
              -- first (lowest id) is looked up only when there are several. OFFSET 0
              -- keeps the look-up to one per row, whatever the measures that use it.
              CROSS JOIN LATERAL (
                    SELECT rel.hr_employee_id AS employee_id,
                           NULLIF(i.technician_count, 0) AS n,
                           CASE WHEN i.technician_count > 1 AND EXISTS (
                                    SELECT 1
                                      FROM aftersales_intervention_hr_employee_rel other
                                     WHERE other.aftersales_intervention_id = i.id
                                       AND other.hr_employee_id < rel.hr_employee_id)
                                THEN 2 ELSE 1 END AS rank
                    OFFSET 0
                   ) t
              CROSS JOIN LATERAL (SELECT %(measures)s) m
             WHERE i.state = 'done'
            """,
            measures=measures,
        )

    def _query(self):
        return SQL("%s UNION ALL %s", self._select_fee(), self._select_intervention())

    @api.model
    def _view_query(self):
        return self._query()
