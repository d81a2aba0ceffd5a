from odoo import api, fields, models

# Who reads the estimate of a ticket's quotation: the sales team that made it, the
# After-Sales managers and the accountants.
ESTIMATE_READERS = (
    "sales_team.group_sale_salesman,aftersales.group_aftersales_manager,"
    "account.group_account_invoice"
)


class SaleOrderLine(models.Model):
    """Order lines billing intervention charges, and the estimate lines of a ticket's
    quotation.

    A line billing a charge is delivered by its intervention (``qty_delivered_method``
    "aftersales" for a service, the intervention's own stock move for goods). The service
    lines of a ticket's accepted quotation become its estimate when the first
    intervention is billed on the order (``aftersales_is_estimate``, with the quoted price,
    discount and amount kept): the ordered quantity stays the estimate, and the line is
    delivered by the actual charge of the same product (normal hours), at that charge's
    price and coverage, or not at all. Both are invoiced on what was delivered, whatever
    the product's invoicing policy, as ``sale_timesheet`` invoices hours: the customer
    pays the work done, once, never the estimate on top of it."""

    _inherit = "sale.order.line"
    # The quoted estimate is a price, read by whoever reads the order (tests/test_field_policy.py)
    _price_fields = ("aftersales_estimate_price_unit", "aftersales_estimate_amount")

    aftersales_billed_by_contract = fields.Boolean(
        string="Billed by the Contract",
        copy=False,
        readonly=True,
        help="The service contract made from this line bills every period, this one included: "
        "the order does not invoice it.",
    )

    qty_delivered_method = fields.Selection(
        selection_add=[("aftersales", "Interventions")], ondelete={"aftersales": "set manual"}
    )
    aftersales_charge_ids = fields.One2many(
        "aftersales.intervention.charge",
        "sale_line_id",
        string="Intervention Charges",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
    aftersales_is_estimate = fields.Boolean(
        string="Estimate",
        copy=False,
        readonly=True,
        help="A line of the ticket's quotation: its ordered quantity is the estimate. It is "
        "delivered and invoiced by the actual charge of the interventions billed on the "
        "order (same product), at that charge's price, never on top of it.",
    )
    aftersales_estimate_price_unit = fields.Float(
        string="Estimated Price",
        digits="Product Price",
        copy=False,
        readonly=True,
        groups=ESTIMATE_READERS,
    )
    aftersales_estimate_discount = fields.Float(
        string="Estimated Discount (%)",
        digits="Discount",
        copy=False,
        readonly=True,
        groups=ESTIMATE_READERS,
    )
    aftersales_estimate_amount = fields.Monetary(
        string="Estimated Amount",
        copy=False,
        readonly=True,
        groups=ESTIMATE_READERS,
        help="The untaxed amount of the line as quoted.",
    )

    @api.depends("aftersales_charge_ids", "aftersales_is_estimate")
    def _compute_qty_delivered_method(self):
        res = super()._compute_qty_delivered_method()
        for line in self:
            # sudo: the charges are the intervention's; whoever reads the order sees
            # how its lines are delivered
            charges = line.sudo().aftersales_charge_ids
            if (charges or line.aftersales_is_estimate) and line.product_id.type == "service":
                line.qty_delivered_method = "aftersales"
        return res

    @api.depends(
        "aftersales_charge_ids.quantity",
        "aftersales_charge_ids.intervention_id.state",
    )
    def _compute_qty_delivered(self):
        return super()._compute_qty_delivered()

    def _prepare_qty_delivered(self):
        """A service line billing intervention charges is delivered by the charges of
        the done interventions, in the line's unit."""
        delivered = super()._prepare_qty_delivered()
        for line in self.filtered(lambda sol: sol.qty_delivered_method == "aftersales"):
            qty = 0.0
            for charge in line.sudo().aftersales_charge_ids:
                if charge.intervention_id.state != "done":
                    continue
                uom = charge.uom_id or line.product_uom_id
                qty += uom._compute_quantity(charge.quantity, line.product_uom_id)
            delivered[line] = qty
        return delivered

    def _aftersales_invoiced_on_delivery(self):
        """The lines of ``self`` invoiced on what the interventions delivered: those
        billing charges and the estimate lines."""
        # sudo: the charges are the intervention's; whoever invoices the order
        return self.filtered(
            lambda line: (
                line.state == "sale"
                and not line.display_type
                and (line.aftersales_is_estimate or line.sudo().aftersales_charge_ids)
            )
        )

    @api.depends("aftersales_billed_by_contract", "aftersales_is_estimate", "aftersales_charge_ids")
    def _compute_qty_to_invoice(self):
        res = super()._compute_qty_to_invoice()
        for line in self._aftersales_invoiced_on_delivery():
            line.qty_to_invoice = line.qty_delivered - line.qty_invoiced
        for line in self.filtered("aftersales_billed_by_contract"):
            line.qty_to_invoice = 0.0
        return res

    def _aftersales_policy_overridden(self):
        """The lines invoiced on delivery whose product says "ordered quantities": the
        amounts left to invoice follow what was delivered, as their quantity does."""
        return self._aftersales_invoiced_on_delivery().filtered(
            lambda line: line.product_id.invoice_policy != "delivery"
        )

    @api.depends("aftersales_is_estimate", "aftersales_charge_ids")
    def _compute_untaxed_amount_to_invoice(self):
        res = super()._compute_untaxed_amount_to_invoice()
        for line in self._aftersales_policy_overridden():
            price_reduce = line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
            delivered = line.tax_ids.compute_all(
                price_reduce,
                currency=line.currency_id,
                quantity=line.qty_delivered,
                product=line.product_id,
                partner=line.order_id.partner_shipping_id,
            )["total_excluded"]
            line.untaxed_amount_to_invoice = delivered - line.untaxed_amount_invoiced
        return res

    @api.depends("aftersales_is_estimate", "aftersales_charge_ids")
    def _compute_amount_to_invoice(self):
        res = super()._compute_amount_to_invoice()
        for line in self._aftersales_policy_overridden().filtered("product_uom_qty"):
            unit_price_total = line.price_total / line.product_uom_qty
            line.amount_to_invoice = unit_price_total * (
                line.qty_delivered - line.qty_invoiced_posted
            )
        return res

    @api.depends("aftersales_is_estimate", "aftersales_charge_ids")
    def _compute_invoice_status(self):
        res = super()._compute_invoice_status()
        # invoiced on delivery: more delivered than estimated is invoiced, no upselling
        for line in self._aftersales_invoiced_on_delivery().filtered(
            lambda line: line.invoice_status == "upselling"
        ):
            line.invoice_status = "invoiced"
        return res

    def _prepare_aftersales_contract_line_vals(self):
        """A fee line of the contract, with this line's prices, discount and taxes."""
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": self.product_uom_qty,
            "product_uom_id": self.product_uom_id.id,
            "price_unit": self.price_unit,
            "discount": self.discount,
            "tax_ids": [fields.Command.set(self.tax_ids.ids)],
            "sale_line_id": self.id,
        }

    def _prepare_aftersales_equipment_vals(self):
        """Covered lines for the goods of this line: one per unit when serial-tracked."""
        self.ensure_one()
        if self.product_id.tracking == "serial":
            units = max(int(self.product_uom_qty), 1)
            return [{"equipment_product_id": self.product_id.id, "quantity": 1.0}] * units
        return [{"equipment_product_id": self.product_id.id, "quantity": self.product_uom_qty}]
