from odoo import api, fields, models

from .aftersales_field_policy import MONEY_GROUPS


class AftersalesIntervention(models.Model):
    """The estimate against the actuals: a call billed on its ticket's accepted
    quotation.

    The quotation's service lines are the estimate (``sale_order.py``). Billing
    delivers each estimate line by the actual charge of the same product (normal hours
    for labour, the same unit), at the charge's price and coverage: the line keeps its
    ordered quantity (the estimate) and is invoiced on what was delivered, the way Odoo
    invoices ordered against delivered hours. Actual charges without an estimate line
    become new lines; an estimate line whose product was not used is delivered 0 and
    never invoiced. So the invoice is the customer's share of what was done, and the
    intervention and the order show the estimate, the actual and the difference; they
    are compared, never added."""

    _inherit = "aftersales.intervention"

    has_estimate = fields.Boolean(compute="_compute_estimate", groups=MONEY_GROUPS)
    estimate_amount = fields.Monetary(
        string="Estimate",
        currency_field="company_currency_id",
        compute="_compute_estimate",
        groups=MONEY_GROUPS,
        help="The untaxed estimate of the ticket's accepted quotation this intervention is "
        "billed on, as quoted.",
    )
    estimate_difference = fields.Monetary(
        string="Customer Pays less Estimate",
        currency_field="company_currency_id",
        compute="_compute_estimate",
        groups=MONEY_GROUPS,
        help="Positive when the work costs the customer more than estimated.",
    )

    @api.depends("ticket_id", "state", "charge_ids.sale_line_id", "charge_customer_amount")
    def _compute_estimate(self):
        for intervention in self:
            orders = intervention._estimate_orders()
            estimate = sum(order._aftersales_estimate() for order in orders)
            intervention.has_estimate = bool(orders)
            intervention.estimate_amount = estimate
            intervention.estimate_difference = (
                intervention.charge_customer_amount - estimate if orders else 0.0
            )

    def _estimate_orders(self):
        """The ticket's quotations estimating this intervention: those it is billed on,
        or, not billed yet, the open order it will be billed on."""
        self.ensure_one()
        # sudo: the estimate is a figure of the intervention, for whoever reads it
        intervention = self.sudo()
        orders = intervention.charge_ids.sale_line_id.order_id
        if not orders and intervention.ticket_id:
            orders = intervention._billing_open_order()
        return orders.filtered(lambda order: order._aftersales_estimate_lines())

    @api.model
    def _estimate_line_for(self, charge, order, estimate_lines):
        """The estimate line of ``estimate_lines`` (not delivered yet) that ``charge``
        delivers on ``order``: the same service product and unit, normal hours for
        labour. Other charges are new lines."""
        if charge.product_id.type != "service" or charge.labour_kind not in (False, "normal"):
            return estimate_lines.browse()
        return estimate_lines.filtered(
            lambda line: (
                line.order_id == order
                and line.product_id == charge.product_id
                and (not charge.uom_id or line.product_uom_id == charge.uom_id)
            )
        )[:1]

    def _prepare_estimate_line_vals(self, charge, line):
        """An estimate line delivered by ``charge``: the charge's price and coverage;
        the ordered quantity stays the estimate."""
        self.ensure_one()
        return {
            "name": line.name + "\n" + self._sale_line_note(charge),
            "price_unit": charge.price_unit,
            "discount": charge.coverage_percent,
        }
