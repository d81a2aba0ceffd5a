from odoo import api, fields, models

# Margins are the managers' and the accountants' figures; technicians never see them.
MARGIN_READERS = (
    "aftersales.group_aftersales_manager,account.group_account_invoice,"
    "account.group_account_readonly"
)


class AftersalesContract(models.Model):
    """Margins of a contract: what it earned (the fees invoiced by contract invoicing
    plus the revenue of its interventions) against what its interventions cost, stored
    in the company's currency so that reporting can group and sum them."""

    _inherit = "aftersales.contract"

    intervention_ids = fields.One2many(
        "aftersales.intervention", "contract_id", string="Covered Interventions"
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    fee_revenue = fields.Monetary(
        string="Fees Invoiced",
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MARGIN_READERS,
        help="Posted invoice lines of the contract's periods, untaxed, in the company's currency.",
    )
    intervention_revenue = fields.Monetary(
        string="Interventions Invoiced",
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MARGIN_READERS,
    )
    revenue = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MARGIN_READERS,
    )
    cost = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MARGIN_READERS,
        help="What the contract's interventions cost: time, travel, materials, expenses "
        "and subcontracting.",
    )
    margin = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MARGIN_READERS,
    )
    margin_percent = fields.Float(
        string="Margin (%)",
        compute="_compute_margin",
        store=True,
        aggregator="avg",
        groups=MARGIN_READERS,
    )

    # The fees follow the invoices' postings, resets and cancellations (account.move
    # ``_aftersales_recompute_revenue``), not every write of an invoice line's balance.
    @api.depends("intervention_ids.revenue", "intervention_ids.cost_total")
    def _compute_margin(self):
        fees = dict(
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("aftersales_contract_line_id.contract_id", "in", self.ids),
                    ("parent_state", "=", "posted"),
                    ("display_type", "=", "product"),
                ],
                ["aftersales_contract_line_id"],
                ["balance:sum"],
            )
        )
        by_contract = {}
        for line, balance in fees.items():
            by_contract[line.contract_id] = by_contract.get(line.contract_id, 0.0) - balance
        for contract in self:
            currency = contract.company_id.currency_id or self.env.company.currency_id
            interventions = contract.sudo().intervention_ids
            fee_revenue = currency.round(by_contract.get(contract, 0.0))
            intervention_revenue = currency.round(sum(interventions.mapped("revenue")))
            revenue = fee_revenue + intervention_revenue
            cost = currency.round(sum(interventions.mapped("cost_total")))
            contract.fee_revenue = fee_revenue
            contract.intervention_revenue = intervention_revenue
            contract.revenue = revenue
            contract.cost = cost
            contract.margin = revenue - cost
            contract.margin_percent = 100.0 * (revenue - cost) / revenue if revenue else 0.0
