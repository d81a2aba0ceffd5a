from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_order_line import ESTIMATE_READERS


class SaleOrder(models.Model):
    """Quotations made from help desk tickets, and their estimate against the actuals.

    The service lines of a ticket's accepted quotation are its estimate once an
    intervention is billed on the order (``sale_order_line.py``): the order shows the
    estimate, the customer's share of the work actually done, and the difference."""

    _inherit = "sale.order"
    # Quoted against done: prices, read by whoever reads the order (tests/test_field_policy.py)
    _price_fields = (
        "aftersales_estimate_amount",
        "aftersales_actual_amount",
        "aftersales_estimate_difference",
    )

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
    aftersales_has_estimate = fields.Boolean(
        compute="_compute_aftersales_estimate", groups=ESTIMATE_READERS
    )
    aftersales_estimate_amount = fields.Monetary(
        string="Estimate",
        compute="_compute_aftersales_estimate",
        groups=ESTIMATE_READERS,
        help="The untaxed amount of the quotation's estimate lines, as quoted.",
    )
    aftersales_actual_amount = fields.Monetary(
        string="Actual",
        compute="_compute_aftersales_estimate",
        groups=ESTIMATE_READERS,
        help="The customer's share of the work the interventions billed on this order did "
        "(untaxed, delivered): what is invoiced.",
    )
    aftersales_estimate_difference = fields.Monetary(
        string="Actual less Estimate",
        compute="_compute_aftersales_estimate",
        groups=ESTIMATE_READERS,
        help="Positive when the work cost the customer more than estimated.",
    )

    @api.depends(
        "order_line.aftersales_is_estimate",
        "order_line.aftersales_estimate_amount",
        "order_line.price_subtotal",
        "order_line.qty_delivered",
        "order_line.aftersales_charge_ids",
    )
    def _compute_aftersales_estimate(self):
        for order in self:
            # sudo: the figures of the order, for whoever may read them (groups)
            order_sudo = order.sudo()
            estimate_lines = order_sudo._aftersales_estimate_lines()
            actual_lines = order_sudo.order_line.filtered(
                lambda line: line.aftersales_charge_ids and not line.display_type
            )
            order.aftersales_has_estimate = bool(estimate_lines)
            order.aftersales_estimate_amount = order_sudo._aftersales_estimate()
            order.aftersales_actual_amount = sum(
                order.currency_id.round(
                    line.qty_delivered * line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
                )
                for line in actual_lines
            )
            order.aftersales_estimate_difference = (
                order.aftersales_actual_amount - order.aftersales_estimate_amount
                if estimate_lines
                else 0.0
            )

    # ------------------------------------------------------------------
    # The estimate of a ticket's quotation
    # ------------------------------------------------------------------
    def _aftersales_estimate_candidates(self):
        """The lines of this order that estimate the work when an intervention is first
        billed on it: its services, not billing a charge, not yet marked."""
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and not line.aftersales_is_estimate
                and not line.aftersales_billed_by_contract
                and line.product_id.type == "service"
                and not line.aftersales_charge_ids
            )
        )

    def _aftersales_estimate_lines(self):
        """The estimate lines of this order: marked, or, before any intervention is
        billed on it, the lines that will be."""
        self.ensure_one()
        marked = self.order_line.filtered("aftersales_is_estimate")
        if marked or self.order_line.aftersales_charge_ids or not self.aftersales_ticket_id:
            return marked
        return self._aftersales_estimate_candidates()

    def _aftersales_estimate(self):
        """The untaxed estimate of this order, as quoted."""
        self.ensure_one()
        return sum(
            line.aftersales_estimate_amount if line.aftersales_is_estimate else line.price_subtotal
            for line in self._aftersales_estimate_lines()
        )

    def _aftersales_check_estimate(self):
        """Refuse to bill work on a quotation whose estimate was invoiced before the work:
        the customer would pay the estimate and the work."""
        for order in self:
            invoiced = order._aftersales_estimate_lines().filtered(
                lambda line: not line.aftersales_is_estimate and line.qty_invoiced
            )
            if invoiced:
                raise UserError(
                    self.env._(
                        "Quotation %(order)s was invoiced before the work (%(invoices)s): "
                        "billing the intervention on it would make the customer pay the "
                        "estimate and the work. Credit the estimate lines of those "
                        "invoices first, then bill.",
                        order=order.name,
                        invoices=", ".join(invoiced.invoice_lines.move_id.mapped("display_name")),
                    )
                )

    def _aftersales_mark_estimate(self):
        """Mark the estimate lines of these orders (the first time an intervention is
        billed on each), keeping their quoted price, discount and amount. Returns the
        estimate lines not delivered by a charge yet."""
        for order in self:
            lines = order._aftersales_estimate_lines().filtered(
                lambda line: not line.aftersales_is_estimate
            )
            for line in lines:
                line.write(
                    {
                        "aftersales_is_estimate": True,
                        "aftersales_estimate_price_unit": line.price_unit,
                        "aftersales_estimate_discount": line.discount,
                        "aftersales_estimate_amount": line.price_subtotal,
                    }
                )
        return self.order_line.filtered(
            lambda line: line.aftersales_is_estimate and not line.aftersales_charge_ids
        )
