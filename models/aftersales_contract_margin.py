from odoo import api, fields, models
from odoo.tools import SQL

from .aftersales_field_policy import MONEY_GROUPS

# Margins are the managers' and the accountants' figures; technicians never see them.

# what ``fee_lines_query`` reads, flushed before it runs
FEE_QUERY_FIELDS = {
    "account.move.line": [
        "aftersales_contract_line_id",
        "parent_state",
        "display_type",
        "balance",
        "date",
        "company_id",
        "company_currency_id",
        "move_id",
        "product_id",
        "sale_line_ids",
    ],
    "account.move": ["reversed_entry_id", "state"],
    "aftersales.contract.line": ["contract_id", "sale_line_id", "product_id"],
    "aftersales.contract": ["source_invoice_id"],
}


def fee_lines_query(contracts=None):
    """``(aml_id, contract_id, balance, date, company_id, currency_id)`` of the posted
    journal items that bill a contract's fee, each once: those carrying the contract
    line (the periodic invoices); else those invoicing the sale order line a contract
    line comes from (a contract sold on an order); else those selling a contract line's
    fee product on the invoice that generated the contract, or on its credit notes.
    Credit notes count against the fee: a reversal keeps the contract line and the sale
    order line of the line it reverses (``_copy_data_extend_business_fields``). The
    first, by far the largest, is a plain join: no sort, no de-duplication.
    ``contracts``, an SQL query of contract ids, restricts each branch to those
    contracts (through indexes)."""
    only = SQL("AND cl.contract_id IN (%s)", contracts) if contracts is not None else SQL("")
    return SQL(
        """
        SELECT l.id AS aml_id, cl.contract_id, l.balance, l.date, l.company_id,
               l.company_currency_id AS currency_id
          FROM account_move_line l
          JOIN aftersales_contract_line cl ON cl.id = l.aftersales_contract_line_id
         WHERE l.parent_state = 'posted' AND l.display_type = 'product' %(only)s
         UNION ALL
        SELECT DISTINCT ON (l.id) l.id, cl.contract_id, l.balance, l.date, l.company_id,
               l.company_currency_id
          FROM aftersales_contract_line cl
          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = cl.sale_line_id
          JOIN account_move_line l ON l.id = rel.invoice_line_id
         WHERE l.aftersales_contract_line_id IS NULL
           AND l.parent_state = 'posted' AND l.display_type = 'product' %(only)s
         UNION ALL
        SELECT DISTINCT ON (l.id) l.id, cl.contract_id, l.balance, l.date, l.company_id,
               l.company_currency_id
          FROM aftersales_contract ct
          JOIN aftersales_contract_line cl ON cl.contract_id = ct.id
          -- the generating invoice and its credit notes
          JOIN LATERAL (
                SELECT ct.source_invoice_id AS move_id
                 UNION ALL
                SELECT r.id FROM account_move r WHERE r.reversed_entry_id = ct.source_invoice_id
          ) src ON TRUE
          JOIN account_move_line l ON l.move_id = src.move_id AND l.product_id = cl.product_id
         WHERE ct.source_invoice_id IS NOT NULL
           AND l.aftersales_contract_line_id IS NULL
           AND l.parent_state = 'posted' AND l.display_type = 'product'
           AND NOT EXISTS (
                SELECT 1 FROM sale_order_line_invoice_rel r WHERE r.invoice_line_id = l.id
           ) %(only)s
        """,
        only=only,
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
        compute="_compute_fee_revenue",
        store=True,
        groups=MONEY_GROUPS,
        help="The contract's fees on posted invoices, less their credit notes, untaxed, in the "
        "company's currency: periodic invoices, and the invoices of the order or the invoice "
        "that sold the contract.",
    )
    intervention_revenue = fields.Monetary(
        string="Interventions Invoiced",
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MONEY_GROUPS,
    )
    revenue = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MONEY_GROUPS,
    )
    cost = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MONEY_GROUPS,
        help="What the contract's interventions cost: time, travel, materials, expenses "
        "and subcontracting.",
    )
    margin = fields.Monetary(
        currency_field="company_currency_id",
        compute="_compute_margin",
        store=True,
        groups=MONEY_GROUPS,
    )
    margin_percent = fields.Float(
        string="Margin (%)",
        compute="_compute_margin",
        store=True,
        aggregator="avg",
        groups=MONEY_GROUPS,
    )

    # The fees follow the contract's side of ``fee_lines_query`` (the lines' sale order
    # line and product, the generating invoice) and the invoices' postings, resets and
    # cancellations (account.move ``_aftersales_recompute_revenue``), not every write of
    # an invoice line's balance, nor the interventions: a visit runs no fee query.
    @api.depends("source_invoice_id", "line_ids.sale_line_id", "line_ids.product_id")
    def _compute_fee_revenue(self):
        by_contract = {}
        ids = [contract_id for contract_id in self._origin.ids if contract_id]
        if ids:
            # the fees as the reports count them: periodic invoices, the invoices of the
            # order that sold the contract, the invoice that generated it, and the credit
            # notes of each (one rule, ``fee_lines_query``), from the tables it reads
            for model, fnames in FEE_QUERY_FIELDS.items():
                self.env[model].flush_model(fnames)
            self.env.cr.execute(
                SQL(
                    "SELECT fee.contract_id, -SUM(fee.balance) FROM (%s) fee"
                    " GROUP BY fee.contract_id",
                    fee_lines_query(SQL("SELECT unnest(%s)", ids)),
                )
            )
            by_contract = dict(self.env.cr.fetchall())
        for contract in self:
            currency = contract.company_id.currency_id or self.env.company.currency_id
            contract.fee_revenue = currency.round(by_contract.get(contract._origin.id, 0.0))

    @api.model
    def _margin_fields(self):
        """The figures summed from the contract's interventions (one compute)."""
        return self.pool.field_computed[self._fields["margin"]]

    # The interventions' revenue and cost summed by the database, in one query for the
    # batch: a visit planned or finished on a contract with thousands of them costs what
    # it costs on a new contract.
    @api.depends("fee_revenue", "intervention_ids.revenue", "intervention_ids.cost_total")
    def _compute_margin(self):
        totals = {}
        ids = [contract_id for contract_id in self._origin.ids if contract_id]
        if ids:
            # sudo: the figures of the contract's interventions, whoever reads them
            groups = (
                self.env["aftersales.intervention"]
                .sudo()
                ._read_group(
                    [("contract_id", "in", ids)],
                    ["contract_id"],
                    ["revenue:sum", "cost_total:sum"],
                )
            )
            totals = {contract.id: (revenue, cost) for contract, revenue, cost in groups}
        for contract in self:
            currency = contract.company_id.currency_id or self.env.company.currency_id
            intervention_revenue, cost = totals.get(contract._origin.id, (0.0, 0.0))
            intervention_revenue = currency.round(intervention_revenue)
            revenue = contract.fee_revenue + intervention_revenue
            cost = currency.round(cost)
            contract.intervention_revenue = intervention_revenue
            contract.revenue = revenue
            contract.cost = cost
            contract.margin = revenue - cost
            contract.margin_percent = 100.0 * (revenue - cost) / revenue if revenue else 0.0
