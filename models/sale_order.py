from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_order_line import ESTIMATE_READERS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_contract_ids = fields.One2many(
        "aftersales.contract",
        "sale_order_id",
        string="Service Contracts",
        groups="aftersales.group_aftersales_user",
    )
    aftersales_contract_count = fields.Integer(
        compute="_compute_aftersales_contract_count", groups="aftersales.group_aftersales_user"
    )
    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Billed Intervention",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
        help="The intervention this order was made to bill.",
    )
    aftersales_intervention_ids = fields.Many2many(
        "aftersales.intervention",
        string="Interventions",
        compute="_compute_aftersales_intervention_ids",
        groups="aftersales.group_aftersales_user",
    )
    aftersales_intervention_count = fields.Integer(
        string="Intervention Count",
        compute="_compute_aftersales_intervention_ids",
        groups="aftersales.group_aftersales_user",
    )

    @api.depends("aftersales_contract_ids")
    def _compute_aftersales_contract_count(self):
        for order in self:
            order.aftersales_contract_count = len(order.aftersales_contract_ids)

    @api.depends("order_line.aftersales_charge_ids")
    def _compute_aftersales_intervention_ids(self):
        for order in self:
            interventions = order.order_line.aftersales_charge_ids.intervention_id
            order.aftersales_intervention_ids = interventions
            order.aftersales_intervention_count = len(interventions)

    def action_view_aftersales_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_intervention_action"
        )
        interventions = self.aftersales_intervention_ids
        action["domain"] = [("id", "in", interventions.ids)]
        action["context"] = {"create": False}
        if len(interventions) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = interventions.id
        return action

    def _get_invoiceable_lines(self, final=False):
        lines = super()._get_invoiceable_lines(final)
        only = self.env.context.get("aftersales_invoice_line_ids")
        if only is not None:
            lines = lines.filtered(lambda line: line.id in only)
        return lines

    def _aftersales_credit_lines(self, lines):
        """Credit what ``lines`` (of these orders) invoiced beyond what they delivered:
        a credit note of those lines only, through the order's own invoicing, posted
        when the company posts its after-sales invoices. Returns the credit notes."""
        lines = lines.filtered(
            lambda line: (
                line.state == "sale" and line.product_uom_id.compare(line.qty_to_invoice, 0.0) < 0
            )
        )
        if not lines:
            return self.env["account.move"]
        moves = lines.order_id.with_context(
            aftersales_invoice_line_ids=lines.ids, tracking_disable=True
        )._create_invoices(final=True)
        to_post = moves.filtered(lambda move: move.company_id.aftersales_invoice_post)
        if to_post:
            to_post._post()
        return moves

    def _action_confirm(self):
        res = super()._action_confirm()
        # sudo: the salesperson may confirm the order (checked by super()); making its
        # service contracts is the system's bookkeeping, whoever confirms.
        self.sudo()._aftersales_create_contracts()
        return res

    def _aftersales_create_contracts(self):
        """One contract per order and contract template sold on it."""
        plans = []
        for order in self.filtered(lambda o: not o.aftersales_contract_ids):
            fee_lines = order.order_line.filtered(
                lambda line: (
                    line.product_id.aftersales_contract_template_id and not line.display_type
                )
            )
            groups = fee_lines.grouped(lambda line: line.product_id.aftersales_contract_template_id)
            templates = sorted(groups, key=lambda t: (t.sequence, t.id))
            for position, template in enumerate(templates):
                lines = groups[template]
                if template.first_period_billing == "contract":
                    lines.aftersales_billed_by_contract = True
                plans.append(
                    order._prepare_aftersales_contract_plan(
                        template, lines, equipment=position == 0
                    )
                )
        return self.env["aftersales.contract"]._create_generated(plans)

    def _prepare_aftersales_contract_plan(self, template, fee_lines, equipment=True):
        """The contract of ``template`` for this order: its fee lines, and the machines
        sold on the same order as covered lines (serials are filled in on delivery)."""
        self.ensure_one()
        fee_vals = [line._prepare_aftersales_contract_line_vals() for line in fee_lines]
        equipment_vals = []
        if equipment:
            for line in self.order_line.filtered(
                lambda line: (
                    line.product_id.type == "consu"
                    and not line.display_type
                    and not line.product_id.aftersales_contract_template_id
                )
            ):
                equipment_vals += line._prepare_aftersales_equipment_vals()
        return self.env["aftersales.contract"]._prepare_generated_vals(
            template,
            partner=self.partner_id,
            company=self.company_id,
            date_start=fields.Date.context_today(self, self.date_order),
            fee_vals=fee_vals,
            equipment_vals=equipment_vals,
            first_period_billed=template.first_period_billing == "sale_order",
            extra={
                "sale_order_id": self.id,
                "origin": self.name,
                "reference": self.client_order_ref,
                "partner_invoice_id": self.partner_invoice_id.id,
                "pricelist_id": self.pricelist_id.id,
                "currency_id": self.currency_id.id,
                "payment_term_id": self.payment_term_id.id or False,
                "fiscal_position_id": self.fiscal_position_id.id,
                "user_id": self.user_id.id,
                "analytic_distribution": fee_lines[:1].analytic_distribution,
            },
        )

    def action_view_aftersales_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_contract_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        if len(self.aftersales_contract_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.aftersales_contract_ids.id
        return action

    # ------------------------------------------------------------------
    # Quotations made from help desk tickets, and their estimate against the actuals.
    #
    # The service lines of a ticket's accepted quotation are its estimate once an
    # intervention is billed on the order (``sale_order_line.py``): the order shows the
    # estimate, the customer's share of the work actually done, and the difference.
    # ------------------------------------------------------------------

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
