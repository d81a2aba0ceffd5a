from odoo import api, fields, models

from .aftersales_field_policy import MONEY_GROUPS


class StockLot(models.Model):
    """A serial's own reliability figures, read from the reliability report so that the
    form and the report never disagree. Technicians see how the machine behaves, not
    what it costs or earns."""

    _inherit = "stock.lot"

    aftersales_machine_years = fields.Float(
        string="Machine-Years", compute="_compute_aftersales_reliability", digits=(16, 2)
    )
    aftersales_calls = fields.Integer(
        string="Corrective Calls", compute="_compute_aftersales_reliability"
    )
    aftersales_mtbf_days = fields.Float(
        string="MTBF (days)",
        compute="_compute_aftersales_reliability",
        digits=(16, 1),
        help="Days in service since delivery per corrective call.",
    )
    aftersales_mttr_hours = fields.Float(
        string="MTTR (h)",
        compute="_compute_aftersales_reliability",
        digits=(16, 2),
        help="Mean hours from start to finish of the corrective interventions done.",
    )
    aftersales_calls_per_year = fields.Float(
        string="Calls per Machine-Year", compute="_compute_aftersales_reliability", digits=(16, 2)
    )
    aftersales_cost_per_year = fields.Monetary(
        string="Cost to Serve per Machine-Year",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
    )
    aftersales_fee_per_year = fields.Monetary(
        string="Fee per Machine-Year",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
    )
    aftersales_service_balance = fields.Monetary(
        string="Earned less Cost",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
        help="Contract fees and billed interventions less the cost to serve, since delivery.",
    )
    aftersales_currency_id = fields.Many2one(
        "res.currency", string="Currency", compute="_compute_aftersales_reliability"
    )

    @api.depends_context("company")
    def _compute_aftersales_reliability(self):
        # the report's own query, restricted to these serials and to the company they
        # are seen in: the serial's own, else the current one (the figures are the
        # serial's own; the money fields are restricted by their groups)
        Report = self.env["aftersales.reliability.report"]
        rows = {}
        for company, lots in self.grouped(lambda lot: lot.company_id or self.env.company).items():
            rows.update(Report._rows_for_lots(lots._origin.ids, company))
        for lot in self:
            row = rows.get(lot._origin.id, {})
            lot.aftersales_machine_years = float(row.get("machine_years") or 0.0)
            lot.aftersales_calls = row.get("calls") or 0
            lot.aftersales_mtbf_days = float(row.get("mtbf_days") or 0.0)
            lot.aftersales_mttr_hours = float(row.get("mttr_hours") or 0.0)
            lot.aftersales_calls_per_year = float(row.get("calls_per_year") or 0.0)
            lot.aftersales_cost_per_year = float(row.get("cost_per_year") or 0.0)
            lot.aftersales_fee_per_year = float(row.get("fee_per_year") or 0.0)
            lot.aftersales_service_balance = float(row.get("balance") or 0.0)
            lot.aftersales_currency_id = row.get("currency_id") or lot.company_id.currency_id
