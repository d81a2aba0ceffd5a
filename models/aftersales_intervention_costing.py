from collections import defaultdict

from odoo import api, fields, models

# Which cost column a charge kind's cost adds to.
COST_COLUMNS = {
    "labour": "cost_time",
    "travel_time": "cost_time",
    "callout": "cost_travel",
    "travel": "cost_travel",
    "per_diem": "cost_travel",
    "material": "cost_materials",
    "expense": "cost_expenses",
    "subcontract": "cost_subcontract",
}


class AftersalesIntervention(models.Model):
    """Costing: the charge lines of a finished intervention, priced at its rate card,
    split by coverage, with their costs read from the standard records of the work; and
    the intervention's revenue (its posted invoice lines), cost and margin, stored so that
    reporting can group and sum them."""

    _inherit = "aftersales.intervention"

    charge_ids = fields.One2many(
        "aftersales.intervention.charge", "intervention_id", string="Charges", copy=False
    )
    cost_time = fields.Monetary(
        string="Labour Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Work and travel time of the technicians at their hourly cost (timesheets).",
    )
    cost_travel = fields.Monetary(
        string="Travel Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Kilometres at the vehicle's cost per km.",
    )
    cost_materials = fields.Monetary(
        string="Materials Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
        help="Materials used at their stock valuation.",
    )
    cost_expenses = fields.Monetary(
        string="Expenses Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
    )
    cost_subcontract = fields.Monetary(
        string="Subcontracting Cost",
        currency_field="company_currency_id",
        compute="_compute_costs",
        store=True,
    )
    cost_total = fields.Monetary(
        string="Cost", currency_field="company_currency_id", compute="_compute_costs", store=True
    )
    revenue = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_revenue",
        store=True,
        help="Posted invoice lines of the intervention's sale lines, credit notes deducted, "
        "untaxed, in the company's currency.",
    )
    margin = fields.Monetary(
        currency_field="company_currency_id", compute="_compute_margin", store=True
    )
    margin_percent = fields.Float(
        string="Margin (%)", compute="_compute_margin", store=True, aggregator="avg"
    )

    @api.depends("charge_ids.cost", "charge_ids.kind")
    def _compute_costs(self):
        for intervention in self:
            costs = defaultdict(float)
            for charge in intervention.charge_ids:
                costs[COST_COLUMNS[charge.kind]] += charge.cost
            currency = intervention.company_id.currency_id
            total = 0.0
            for column in set(COST_COLUMNS.values()):
                intervention[column] = currency.round(costs[column])
                total += costs[column]
            intervention.cost_total = currency.round(total)

    @api.depends(
        "charge_ids.sale_line_id.invoice_lines.balance",
        "charge_ids.sale_line_id.invoice_lines.parent_state",
    )
    def _compute_revenue(self):
        for intervention in self:
            # sudo: the revenue is a figure of the intervention, whoever reads it
            lines = intervention.charge_ids.sudo().sale_line_id.invoice_lines.filtered(
                lambda line: line.parent_state == "posted"
            )
            intervention.revenue = -sum(lines.mapped("balance"))

    @api.depends("revenue", "cost_total")
    def _compute_margin(self):
        for intervention in self:
            intervention.margin = intervention.revenue - intervention.cost_total
            intervention.margin_percent = (
                100.0 * intervention.margin / intervention.revenue if intervention.revenue else 0.0
            )

    def _prepare_charge_vals_list(self):
        """The charge lines of this intervention, as ``create`` values before coverage:
        ``kind``, ``labour_kind``, ``name``, ``product_id``, ``quantity``, ``price_unit``
        and the link to the standard record they come from. Each concern (labour,
        travel, materials, subcontracting, expenses) extends this with its own lines."""
        self.ensure_one()
        return []
