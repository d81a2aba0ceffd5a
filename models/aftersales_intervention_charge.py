from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .aftersales_field_policy import MONEY_GROUPS, system_writes
from .aftersales_intervention_time import LABOUR_KINDS

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
    _inherit = ["aftersales.field.policy"]
    # Computed by the costing (amounts, cost, the bank's move, the hours behind a labour
    # line), set by billing (the sale line) or by the adjustment itself (``is_adjusted``).
    # A manager adjusts quantity, price and coverage.
    _system_fields = (
        "amount",
        "covered_amount",
        "customer_amount",
        "cost",
        "worked_hours",
        "hour_move_id",
        "sale_line_id",
        "is_adjusted",
        "is_manual",
    )
    # What the customer is charged and what the coverage pays: read by the technicians of
    # the intervention, who explain the bill; its cost is the company's (``MONEY_GROUPS``).
    _price_fields = ("price_unit", "amount", "covered_amount", "customer_amount")
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
        compute="_compute_cost",
        store=True,
        readonly=False,
        help="What the line costs the company, read from the standard records of the "
        "work: timesheet lines, stock moves, odometer, expenses, purchase orders.",
        groups=MONEY_GROUPS,
    )
    worked_hours = fields.Float(
        digits=(16, 4),
        readonly=True,
        help="Hours recorded on the timesheets that this labour or travel-time line bills "
        "(before the rate card's minimum and rounding); its cost is their share of the "
        "timesheets' cost.",
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
    is_manual = fields.Boolean(
        string="Added by Hand",
        readonly=True,
        copy=False,
        help="Added by a manager: a line of its own, next to the computed ones, which "
        "recomputing the charges never replaces or removes.",
    )
    stock_move_id = fields.Many2one("stock.move", index="btree_not_null", ondelete="set null")
    purchase_line_id = fields.Many2one(
        "purchase.order.line", index="btree_not_null", ondelete="set null"
    )
    hour_move_id = fields.Many2one(
        "aftersales.hour.move", index="btree_not_null", ondelete="set null"
    )
    expense_id = fields.Many2one("hr.expense", index="btree_not_null", ondelete="set null")
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

    # ------------------------------------------------------------------
    # Cost: read from the standard records, never copied
    # ------------------------------------------------------------------
    @api.depends(
        "kind",
        "labour_kind",
        "worked_hours",
        "intervention_id.timesheet_ids.amount",
        "intervention_id.timesheet_ids.unit_amount",
        "intervention_id.timesheet_ids.aftersales_time_type",
        "intervention_id.timesheet_ids.aftersales_hour_kind",
        "intervention_id.odometer_km",
        "intervention_id.travel_km",
        "intervention_id.vehicle_id.aftersales_cost_per_km",
        "intervention_id.company_id.aftersales_vehicle_cost_per_km",
        "stock_move_id",
        # the valuation of the intervention's own moves, reached from the intervention:
        # a move of another delivery has no intervention and triggers no look-up (through
        # ``stock_move_id``, every write of any move searched the charges)
        "intervention_id.material_move_ids.value",
        "intervention_id.material_move_ids.quantity",
        "intervention_id.material_move_ids.state",
        "purchase_line_id.price_subtotal",
        "purchase_line_id.state",
    )
    def _compute_cost(self):
        """Labour and travel time: their share of the timesheet lines' cost (the
        employee's hourly cost) of that kind of hours; kilometres: the vehicle's cost
        per km; materials: the stock valuation of the move; subcontracting: the purchase
        order line. Other kinds (call-out, per diem) cost nothing of their own; a kind
        this file does not know (an expense) keeps the cost it was given."""
        # sudo: the cost is a figure of the charge, whoever triggers its computation
        charges = self.sudo()
        time_costs = charges._time_costs()
        for charge in charges:
            cost = charge._get_cost(time_costs)
            charge.cost = charge.cost if cost is None else cost

    def _time_costs(self):
        """{(intervention id, time type, hour kind): (hours, cost)} of the timesheet
        lines of the charges' interventions, in one query."""
        interventions = self.intervention_id.filtered("id")
        if not interventions or not self.filtered(lambda c: c.kind in ("labour", "travel_time")):
            return {}
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("aftersales_intervention_id", "in", interventions.ids)],
                ["aftersales_intervention_id", "aftersales_time_type", "aftersales_hour_kind"],
                ["unit_amount:sum", "amount:sum"],
            )
        )
        return {
            (intervention.id, time_type, hour_kind): (hours, -amount)
            for intervention, time_type, hour_kind, hours, amount in groups
        }

    def _get_cost(self, time_costs):
        """The cost of this line, or None for a kind whose cost is given, not read."""
        self.ensure_one()
        currency = self.company_id.currency_id or self.env.company.currency_id
        kind = self.kind
        if kind in ("labour", "travel_time"):
            time_type = "travel" if kind == "travel_time" else "work"
            key = (self.intervention_id.id, time_type, self.labour_kind or "normal")
            hours, cost = time_costs.get(key, (0.0, 0.0))
            share = min(self.worked_hours / hours, 1.0) if hours else 0.0
            return currency.round(cost * share)
        if kind == "travel":
            return self.intervention_id._aftersales_km_cost()
        if kind == "material":
            return self._material_cost()
        if kind == "subcontract":
            line = self.purchase_line_id
            if not line or line.state == "cancel":
                return 0.0
            order = line.order_id
            return line.currency_id._convert(
                line.price_subtotal,
                currency,
                order.company_id,
                order.date_approve or order.date_order or fields.Date.today(),
            )
        if kind in ("callout", "per_diem"):
            return 0.0
        return None

    def _material_cost(self):
        """The stock valuation of the move (stock_account's ``value``, set when the move
        is done: standard, average or FIFO cost); a product without valuation (a
        consumable) at its cost price; material supplied by the subcontractor costs
        nothing here, its purchase order carries it."""
        self.ensure_one()
        move = self.stock_move_id
        if not move or move.state != "done" or move.aftersales_vendor_id:
            return 0.0
        if move.value:
            return abs(move.value)
        qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
        return (self.company_id.currency_id or self.env.company.currency_id).round(
            qty * move.product_id.standard_price
        )

    # ------------------------------------------------------------------
    # Recomputing in place: the key of a line
    # ------------------------------------------------------------------
    @api.model
    def _charge_key_fields(self):
        """What identifies a computed line across recomputations: its kind, the kind of
        hours, the product and the standard record it comes from, and whether an hour
        bank pays it. Concerns adding a source link (an expense) extend this."""
        return ["kind", "labour_kind", "product_id", "stock_move_id", "purchase_line_id"]

    def _charge_key(self):
        self.ensure_one()
        key = []
        for name in self._charge_key_fields():
            value = self[name]
            key.append(value.id if isinstance(value, models.BaseModel) else (value or False))
        return (*key, bool(self.hour_move_id))

    @api.model
    def _charge_key_from_vals(self, vals):
        return (
            *(vals.get(name) or False for name in self._charge_key_fields()),
            bool(vals.get("hour_move_id")),
        )

    def _charge_changes(self, vals):
        """The values of ``vals`` that differ from this line's."""
        self.ensure_one()
        changes = {}
        for name, value in vals.items():
            field = self._fields[name]
            current = self[name]
            if field.type == "many2one":
                current = current.id
                value = value or False
            if field.type in ("float", "monetary"):
                if float_compare(current or 0.0, value or 0.0, precision_digits=6):
                    changes[name] = value
            elif current != value:
                changes[name] = value
        return changes

    # ------------------------------------------------------------------
    # A manager's adjustment, kept by recomputations and told in the chatter
    # ------------------------------------------------------------------
    # The fields a manager adjusts; changing them marks the line adjusted.
    _ADJUSTABLE_FIELDS = (
        "name",
        "product_id",
        "quantity",
        "price_unit",
        "coverage_kind",
        "coverage_percent",
    )

    @api.constrains("coverage_kind", "coverage_percent")
    def _check_coverage_payer(self):
        for charge in self:
            if charge.coverage_kind == "customer" and charge.coverage_percent:
                raise ValidationError(
                    self.env._(
                        "Charge “%(name)s”: a line paid by the customer has no covered share; "
                        "choose who covers %(percent)s%% of it in “Paid by”.",
                        name=charge.name,
                        percent="%g" % charge.coverage_percent,
                    )
                )

    def _is_charge_computation(self):
        return bool(self.env.context.get("aftersales_charge_compute"))

    @api.model_create_multi
    def create(self, vals_list):
        if self._is_charge_computation():
            return super().create(vals_list)
        # a line added by hand is the manager's, and a new line: recomputations keep it
        # and compute their own lines next to it
        with system_writes("is_adjusted", "is_manual"):
            charges = super().create(
                [{**vals, "is_adjusted": True, "is_manual": True} for vals in vals_list]
            )
        charges._post_adjustment({charge: {} for charge in charges})
        return charges

    def write(self, vals):
        adjusted = set(self._ADJUSTABLE_FIELDS) & vals.keys()
        if self._is_charge_computation() or not adjusted:
            return super().write(vals)
        billed = self.filtered("sale_line_id")
        if billed:
            raise UserError(
                self.env._(
                    "Charge “%(name)s” of %(intervention)s is already billed: it cannot change.",
                    name=billed[0].name,
                    intervention=billed[0].intervention_id.name,
                )
            )
        before = {
            charge: {name: charge._adjustment_value(name) for name in adjusted} for charge in self
        }
        with system_writes("is_adjusted"):
            res = super().write({**vals, "is_adjusted": True})
        self._post_adjustment(before)
        return res

    def _adjustment_value(self, name):
        self.ensure_one()
        field = self._fields[name]
        value = self[name]
        if field.type == "many2one":
            return value.display_name or ""
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, "")
        if field.type == "float":
            return "%g" % value
        return value or ""

    def _post_adjustment(self, before):
        """Tell each intervention's chatter what changed: old → new per field, or the
        line added."""
        for charge, old_values in before.items():
            if old_values:
                changes = "; ".join(
                    "%s: %s → %s"
                    % (
                        charge._fields[name]._description_string(self.env),
                        old,
                        charge._adjustment_value(name),
                    )
                    for name, old in old_values.items()
                    if old != charge._adjustment_value(name)
                )
                if not changes:
                    continue
                body = self.env._(
                    "Charge “%(name)s” adjusted: %(changes)s.", name=charge.name, changes=changes
                )
            else:
                body = self.env._(
                    "Charge “%(name)s” added by hand: %(qty)s × %(price)s.",
                    name=charge.name,
                    qty="%g" % charge.quantity,
                    price="%g" % charge.price_unit,
                )
            charge.intervention_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billed(self):
        # whoever deletes, the charge computation included: billed is billed
        billed = self.filtered("sale_line_id")
        if billed:
            raise UserError(
                self.env._(
                    "Charge “%(name)s” of %(intervention)s is already billed: it cannot be "
                    "deleted. Cancelling the intervention credits what was invoiced.",
                    name=billed[0].name,
                    intervention=billed[0].intervention_id.name,
                )
            )
