from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SALES = "sales_team.group_sale_salesman"
MANAGER = "aftersales.group_aftersales_manager"
ACCOUNTANT = "account.group_account_invoice"

BILLING_STATUSES = [
    ("to_bill", "To Bill"),
    ("billed", "Billed"),
    ("covered", "Nothing to Bill"),
]


class AftersalesIntervention(models.Model):
    """Billing: the customer's share of a done intervention becomes a confirmed sale
    order, or lines of the open order of the ticket's accepted quotation.

    One sale line per charge the customer pays for, at the charge's price; the covered
    share is the line's discount, so the accountant reads the full price and the share
    the contract, warranty or hour bank took off. Service lines are delivered by the
    intervention itself (``qty_delivered_method`` "aftersales"); material lines by the
    intervention's own validated picking, whose stock moves are linked to them before
    the order is confirmed, so that no second picking is made. Invoicing is the sale
    order's own (``aftersales_invoice_due_wizard.py`` and the cron below).
    """

    _inherit = "aftersales.intervention"

    billing_status = fields.Selection(
        BILLING_STATUSES,
        compute="_compute_billing_status",
        store=True,
        index="btree_not_null",
        help="To Bill: done, with charges the customer pays and no sale order yet. "
        "Nothing to Bill: done and fully covered; its costs are still recorded.",
    )
    sale_order_ids = fields.Many2many(
        "sale.order",
        string="Sale Orders",
        compute="_compute_sale_order_ids",
        groups=SALES,
    )
    sale_order_count = fields.Integer(compute="_compute_sale_order_ids", groups=SALES)

    @api.depends("state", "charge_ids.customer_amount", "charge_ids.sale_line_id")
    def _compute_billing_status(self):
        for intervention in self:
            if intervention.state != "done":
                intervention.billing_status = False
                continue
            billable = intervention.charge_ids.filtered(
                lambda c: c.currency_id.compare_amounts(c.customer_amount, 0.0) > 0
            )
            if billable.filtered(lambda c: not c.sale_line_id):
                intervention.billing_status = "to_bill"
            elif billable:
                intervention.billing_status = "billed"
            else:
                intervention.billing_status = "covered"

    @api.depends("charge_ids.sale_line_id")
    @api.depends_context("uid")
    def _compute_sale_order_ids(self):
        """The orders billing the intervention that the user may open: all of them for
        After-Sales managers (security/aftersales_sale_security.xml), their own for
        other salespeople of their own documents."""
        for intervention in self:
            orders = intervention.charge_ids.sudo().sale_line_id.order_id
            orders = orders.with_env(self.env)._filtered_access("read")
            intervention.sale_order_ids = orders
            intervention.sale_order_count = len(orders)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_billing_rights(self):
        """After-Sales managers and accountants bill; technicians never do."""
        user = self.env.user
        if self.env.su or user.has_group(MANAGER) or user.has_group(ACCOUNTANT):
            return
        raise AccessError(
            self.env._("Only After-Sales managers and accountants can bill interventions.")
        )

    def _check_billable(self):
        """Refuse the whole batch, before anything is written, when one of them is not
        done or already billed."""
        for intervention in self:
            if intervention.state != "done":
                raise UserError(
                    self.env._(
                        "Intervention %(name)s is not done: only done interventions are billed.",
                        name=intervention.name,
                    )
                )
            if intervention.billing_status == "billed":
                raise UserError(
                    self.env._(
                        "Intervention %(name)s has already been billed on %(orders)s.",
                        name=intervention.name,
                        orders=", ".join(
                            intervention.charge_ids.sudo().sale_line_id.order_id.mapped("name")
                        ),
                    )
                )
            missing = intervention._billable_charges().filtered(lambda c: not c.product_id)
            if missing:
                raise UserError(
                    self.env._(
                        "Charge %(charge)s of intervention %(name)s has no product: set one "
                        "before billing.",
                        charge=missing[0].name,
                        name=intervention.name,
                    )
                )

    def _billable_charges(self):
        """The charges of ``self`` the customer pays for, not yet on a sale line."""
        return self.charge_ids.filtered(
            lambda c: (
                not c.sale_line_id and c.currency_id.compare_amounts(c.customer_amount, 0.0) > 0
            )
        )

    # ------------------------------------------------------------------
    # Sale orders
    # ------------------------------------------------------------------
    def _billing_open_order(self):
        """The open order of the ticket's accepted quotation, if any: the intervention's
        lines are added to it instead of a new order."""
        self.ensure_one()
        orders = self.ticket_id.sudo().sale_order_ids.filtered(
            lambda o: (
                o.state == "sale"
                and not o.locked
                and o.company_id == self.company_id
                and o.partner_id.commercial_partner_id == self.commercial_partner_id
            )
        )
        return orders.sorted("id")[:1]

    def _prepare_sale_order_vals(self):
        """Header of the sale order billing this intervention."""
        self.ensure_one()
        return {
            "partner_id": self.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "client_order_ref": self.ticket_id.name or self.name,
            "aftersales_intervention_id": self.id,
        }

    def _prepare_sale_line_vals(self, charge):
        """The sale line of ``charge``: its price, the covered share as a discount."""
        self.ensure_one()
        vals = {
            "product_id": charge.product_id.id,
            "name": charge.name + "\n" + self._sale_line_note(charge),
            "product_uom_qty": charge.quantity,
            "price_unit": charge.price_unit,
            "discount": charge.coverage_percent,
            "sequence": charge.sequence,
        }
        if charge.uom_id:
            vals["product_uom_id"] = charge.uom_id.id
        return vals

    def _sale_line_note(self, charge):
        """The intervention, and who covers part of ``charge``, under the line's name."""
        self.ensure_one()
        if charge.coverage_percent and charge.coverage_kind != "customer":
            payer = dict(charge._fields["coverage_kind"]._description_selection(self.env))
            return self.env._(
                "%(intervention)s - covered by %(payer)s: %(percent)s%%",
                intervention=self.name,
                payer=payer[charge.coverage_kind],
                percent=f"{charge.coverage_percent:g}",
            )
        return self.name

    def action_create_sale_order(self):
        self._check_billing_rights()
        orders = self.sudo()._create_sale_orders()
        if not orders:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Nothing to bill"),
                    "message": self.env._(
                        "The customer pays nothing for these interventions: they are fully "
                        "covered. Their costs are recorded."
                    ),
                    "type": "info",
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        if self.env.user.has_group(SALES):
            return self._open_sale_orders(orders)
        return True

    def _create_sale_orders(self):
        """Bill the customer's share of ``self``: one confirmed order per intervention,
        or new lines on the ticket's open order. Returns the orders written to.

        On the ticket's open order, a charge is delivered by the quotation's estimate
        line of its product (``_estimate_line_for``), at the charge's price, instead of
        a new line: the customer pays the work, not the estimate on top of it.

        Every check runs first; a failure writes nothing."""
        self._check_billable()
        todo = self.filtered(lambda i: i._billable_charges())
        if not todo:
            return self.env["sale.order"]
        open_orders = {intervention: intervention._billing_open_order() for intervention in todo}
        estimated = self.env["sale.order"].union(*open_orders.values())
        estimated._aftersales_check_estimate()
        new = todo.filtered(lambda i: not open_orders[i])
        SaleOrder = self.env["sale.order"].with_context(tracking_disable=True)
        orders = SaleOrder.create([i._prepare_sale_order_vals() for i in new])
        order_of = dict(zip(new, orders, strict=True)) | {i: open_orders[i] for i in todo - new}
        charges, line_vals, estimate_lines = todo._plan_sale_lines(
            order_of, estimated._aftersales_mark_estimate()
        )
        for charge, line in estimate_lines.items():
            line.write(charge.intervention_id._prepare_estimate_line_vals(charge, line))
            # sudo: the sale line of a charge is a system field (set by billing only)
            charge.sudo().sale_line_id = line
        # no procurement: the materials already went out on the intervention's picking
        lines = (
            self.env["sale.order.line"]
            .with_context(skip_procurement=True, tracking_disable=True)
            .create(line_vals)
        )
        # sudo: the sale line of a charge is a system field (set by billing only)
        for charge, line in zip(charges.sudo(), lines, strict=True):
            charge.sale_line_id = line
            if charge.stock_move_id:
                charge.stock_move_id.sale_line_id = line
        # the linked done moves deliver the material lines: confirming procures nothing
        # (sale_stock counts only moves made by its own rules as procured)
        orders.with_context(skip_procurement=True).action_confirm()
        return orders | self.env["sale.order"].union(*(open_orders[i] for i in todo - new))

    def _plan_sale_lines(self, order_of, free_estimate):
        """Where each billable charge of ``self`` goes: on the estimate line of its
        product (``free_estimate``: the open orders' estimate lines not delivered yet),
        or on a new line of its order (``order_of``: {intervention: order}). Returns the
        charges for new lines, their values, and {charge: estimate line}."""
        charges, line_vals, estimate_lines = self.env["aftersales.intervention.charge"], [], {}
        # computed lines first: the estimate is for the work the worksheet records
        for charge in self._billable_charges().sorted(lambda c: c.is_manual):
            intervention = charge.intervention_id
            order = order_of[intervention]
            estimate_line = self._estimate_line_for(charge, order, free_estimate)
            if estimate_line:
                free_estimate -= estimate_line
                estimate_lines[charge] = estimate_line
                continue
            charges |= charge
            line_vals.append({**intervention._prepare_sale_line_vals(charge), "order_id": order.id})
        return charges, line_vals, estimate_lines

    def _open_sale_orders(self, orders):
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        if len(orders) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = orders.id
        return action

    def action_view_sale_orders(self):
        self.ensure_one()
        return self._open_sale_orders(self.sale_order_ids)
