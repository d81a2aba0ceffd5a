from odoo import api, fields, models

CHARGE_KINDS = [
    ("callout", "Call-out"),
    ("travel", "Travel"),
    ("travel_time", "Travel Time"),
    ("per_diem", "Per Diem"),
    ("labour", "Labour"),
    ("material", "Materials"),
    ("expense", "Expenses"),
    ("subcontract", "Subcontracting"),
]
LABOUR_KINDS = [("normal", "Normal"), ("overtime", "Overtime"), ("holiday", "Public Holiday")]
# Who pays the covered share of a line; the customer pays the rest.
CHARGE_PAYERS = [
    ("contract", "Contract"),
    ("warranty", "Warranty"),
    ("hour_bank", "Hour Bank"),
    ("customer", "Customer"),
]


class AftersalesInterventionCharge(models.Model):
    """One priced line of a finished intervention: call-out, travel, per diem, an hour
    kind of labour, a material, an expense or the subcontractor's work.

    Charge lines are computed from the worksheet's standard records (timesheet lines,
    stock moves, odometer, purchase orders, expenses) when the intervention is finished
    (``aftersales_intervention_costing.py``); they price what the customer is charged,
    split it between the payer of the coverage and the customer, and show the cost of
    the line, read from those records. Billing turns the customer's share into sale
    order lines (``sale_line_id``); coverage becomes a discount on that line.
    """

    _name = "aftersales.intervention.charge"
    _description = "Intervention Charge"
    _order = "intervention_id, sequence, id"
    _check_company_auto = True

    intervention_id = fields.Many2one(
        "aftersales.intervention", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        related="intervention_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    commercial_partner_id = fields.Many2one(
        related="intervention_id.commercial_partner_id", string="Customer"
    )
    kind = fields.Selection(CHARGE_KINDS, required=True)
    labour_kind = fields.Selection(
        LABOUR_KINDS, help="The kind of hours of a labour or travel-time line."
    )
    name = fields.Char(string="Description", required=True)
    product_id = fields.Many2one("product.product", check_company=True)
    quantity = fields.Float(digits="Product Unit", default=1.0)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    price_unit = fields.Float(string="Unit Price", digits="Product Price")
    amount = fields.Monetary(compute="_compute_amounts", store=True)
    cost = fields.Monetary(
        help="What the line costs the company, read from the standard records of the "
        "work: timesheet lines, stock moves, odometer, expenses, purchase orders."
    )
    coverage_kind = fields.Selection(
        CHARGE_PAYERS,
        string="Paid by",
        required=True,
        default="customer",
        help="Who pays the covered share of the line; the customer pays the rest.",
    )
    coverage_percent = fields.Float(string="Covered (%)")
    covered_amount = fields.Monetary(compute="_compute_amounts", store=True)
    customer_amount = fields.Monetary(
        string="Customer Pays", compute="_compute_amounts", store=True
    )
    is_adjusted = fields.Boolean(
        string="Adjusted",
        readonly=True,
        copy=False,
        help="Changed by a manager: recomputing the charges keeps the line as it is.",
    )
    stock_move_id = fields.Many2one("stock.move", index="btree_not_null", ondelete="set null")
    purchase_line_id = fields.Many2one(
        "purchase.order.line", index="btree_not_null", ondelete="set null"
    )
    hour_move_id = fields.Many2one(
        "aftersales.hour.move", index="btree_not_null", ondelete="set null"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", index="btree_not_null", copy=False, readonly=True
    )

    _quantity_positive = models.Constraint(
        "CHECK (quantity >= 0)", "The quantity of a charge cannot be negative."
    )
    _price_positive = models.Constraint(
        "CHECK (price_unit >= 0)", "The unit price of a charge cannot be negative."
    )
    _coverage_range = models.Constraint(
        "CHECK (coverage_percent BETWEEN 0 AND 100)",
        "A coverage percentage must be between 0 and 100%.",
    )

    @api.depends("quantity", "price_unit", "coverage_percent", "currency_id")
    def _compute_amounts(self):
        for charge in self:
            currency = charge.currency_id or charge.env.company.currency_id
            amount = currency.round(charge.quantity * charge.price_unit)
            covered = currency.round(amount * charge.coverage_percent / 100.0)
            charge.amount = amount
            charge.covered_amount = covered
            charge.customer_amount = amount - covered
