from dateutil.relativedelta import relativedelta

from odoo import fields, models

from .aftersales_contract import BILLING_PERIODS
from .aftersales_contract_renewal import ADJUSTMENT_METHODS, RENEWAL_TYPES


class AftersalesContractTemplate(models.Model):
    """The defaults a product's contract starts from: terms, billing, duration, renewal."""

    _name = "aftersales.contract.template"
    _description = "Service Contract Template"
    _inherit = ["aftersales.field.policy"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    duration_months = fields.Integer(
        string="Duration (months)", default=12, help="0 makes open-ended contracts."
    )
    billing_period = fields.Selection(BILLING_PERIODS, required=True, default="annual")
    billing_mode = fields.Selection(
        [("advance", "In Advance"), ("arrears", "In Arrears")],
        string="Billing",
        required=True,
        default="advance",
    )
    period_alignment = fields.Selection(
        [("calendar", "Calendar periods"), ("start", "From the start date")],
        required=True,
        default="start",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", string="Payment Terms", check_company=True
    )
    generated_state = fields.Selection(
        [("draft", "Proposal"), ("active", "Active contract")],
        string="Generated Contracts Start As",
        required=True,
        default="draft",
    )
    first_period_billing = fields.Selection(
        [
            ("sale_order", "The order bills the first period"),
            ("contract", "The contract bills every period"),
        ],
        string="First Period Billed By",
        required=True,
        default="sale_order",
        help="The order bills the first period: the sale order invoices the fee once and the "
        "contract starts billing from the second period. The contract bills every period: the "
        "fee lines of the order are not invoiced by the order.",
    )
    equipment_fee_product_id = fields.Many2one(
        "product.product",
        string="Fee per Covered Machine",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service billed for each machine added to a contract from what the customer bought.",
    )
    contract_kind = fields.Selection(
        [("service", "Service contract"), ("hour_bank", "Hour bank")],
        string="Kind",
        required=True,
        default="service",
    )
    hour_bank_hours = fields.Float(
        string="Prepaid Hours",
        help="Hours bought with each unit of the product that names this template.",
    )
    renewal_type = fields.Selection(RENEWAL_TYPES, required=True, default="tacit")
    renewal_months = fields.Integer(string="Renewal Term (months)", default=12)
    notice_days = fields.Integer(string="Notice (days)", default=90)
    adjustment_method = fields.Selection(ADJUSTMENT_METHODS, required=True, default="none")
    adjustment_percent = fields.Float(string="Adjustment (%)")
    index_id = fields.Many2one("aftersales.price.index", string="Price Index", check_company=True)
    index_share = fields.Float(string="Share of Index Change (%)", default=100.0)
    labour_coverage = fields.Float(string="Labour Covered (%)", default=100.0)
    parts_coverage = fields.Float(string="Parts Covered (%)", default=100.0)
    travel_coverage = fields.Float(string="Travel Covered (%)", default=100.0)
    callout_coverage = fields.Float(string="Call-out Fee Covered (%)", default=100.0)
    preventive_visits = fields.Integer(string="Preventive Visits per Year", default=1)
    response_hours = fields.Float(string="Response Time (h)", default=8.0)
    resolution_hours = fields.Float(string="Resolution Time (h)", default=24.0)
    note = fields.Html(string="Terms and Conditions", translate=True)

    _duration_positive = models.Constraint(
        "CHECK (duration_months >= 0 AND renewal_months >= 0 AND notice_days >= 0"
        " AND hour_bank_hours >= 0)",
        "Durations and notice periods cannot be negative.",
    )
    _adjustment_floor = models.Constraint(
        "CHECK (adjustment_percent >= -100)", "A price adjustment cannot be below -100%."
    )
    _sla_positive = models.Constraint(
        "CHECK (response_hours >= 0 AND resolution_hours >= 0 AND preventive_visits >= 0)",
        "Service-level targets and preventive visits cannot be negative.",
    )
    _coverage_range = models.Constraint(
        "CHECK (labour_coverage BETWEEN 0 AND 100 AND parts_coverage BETWEEN 0 AND 100"
        " AND travel_coverage BETWEEN 0 AND 100 AND callout_coverage BETWEEN 0 AND 100)",
        "A coverage percentage must be between 0 and 100%.",
    )

    def _prepare_contract_vals(self, date_start):
        """Header values of a contract made from this template, starting on ``date_start``."""
        self.ensure_one()
        date_end = False
        if self.duration_months and date_start:
            date_end = date_start + relativedelta(months=self.duration_months, days=-1)
        vals = {
            "template_id": self.id,
            "contract_kind": self.contract_kind,
            "date_end": date_end,
            "billing_period": self.billing_period,
            "billing_mode": self.billing_mode,
            "period_alignment": self.period_alignment,
            "renewal_type": self.renewal_type,
            "renewal_months": self.renewal_months,
            "notice_days": self.notice_days,
            "adjustment_method": self.adjustment_method,
            "adjustment_percent": self.adjustment_percent,
            "index_id": self.index_id.id,
            "index_share": self.index_share,
        }
        if self.contract_kind == "hour_bank":
            vals["hour_bank_hours"] = self.hour_bank_hours
        if self.payment_term_id:
            vals["payment_term_id"] = self.payment_term_id.id
        if self.note:
            vals["note"] = self.note
        return vals

    def _hour_bank_purchase_hours(self, fee_vals):
        """The hours bought with an hour bank sold as ``fee_vals`` (hours per unit
        sold): the first move of the ledger, which the contract made from the sale or
        invoice writes once (``_hour_bank_top_up``)."""
        self.ensure_one()
        if self.contract_kind != "hour_bank":
            return 0.0
        units = sum(vals.get("quantity", 1.0) for vals in fee_vals) or 1.0
        return max(self.hour_bank_hours * units, 0.0)

    def _prepare_coverage_vals(self):
        """Coverage terms of a covered-equipment line."""
        self.ensure_one()
        return {
            "labour_coverage": self.labour_coverage,
            "parts_coverage": self.parts_coverage,
            "travel_coverage": self.travel_coverage,
            "callout_coverage": self.callout_coverage,
            "preventive_visits": self.preventive_visits,
            "response_hours": self.response_hours,
            "resolution_hours": self.resolution_hours,
        }
