from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .aftersales_field_policy import MONEY_GROUPS


class AftersalesIntervention(models.Model):
    """Subcontractors: the agreed service is bought on a purchase order.

    Planning an intervention given to a subcontractor creates and confirms a purchase
    order for the agreed amount (the company's subcontracted-service product), linked
    both ways, its line carrying the contract's analytic distribution; the button makes
    it later. The vendor's reported materials are worksheet lines marked as the
    vendor's (``stock.move.aftersales_vendor_id``).
    """

    _inherit = "aftersales.intervention"

    subcontract_amount = fields.Monetary(
        string="Agreed Amount",
        currency_field="company_currency_id",
        tracking=True,
        help="The price agreed with the subcontractor for this intervention.",
        groups=MONEY_GROUPS,
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    purchase_order_ids = fields.One2many(
        "purchase.order",
        "aftersales_intervention_id",
        string="Purchase Orders",
        groups="purchase.group_purchase_user",
    )
    purchase_order_count = fields.Integer(
        string="Purchases", compute="_compute_purchase_order_count"
    )

    _subcontract_amount_positive = models.Constraint(
        "CHECK (subcontract_amount >= 0)", "The agreed amount cannot be negative."
    )

    def _compute_purchase_order_count(self):
        # sudo: a count for the smart button, whoever looks
        counts = dict(
            self.env["purchase.order"]
            .sudo()
            ._read_group(
                [("aftersales_intervention_id", "in", self.ids), ("state", "!=", "cancel")],
                ["aftersales_intervention_id"],
                ["__count"],
            )
        )
        for intervention in self:
            intervention.purchase_order_count = counts.get(intervention, 0)

    def action_plan(self):
        todo = self.filtered(lambda i: i.subcontractor_id and not i.purchase_order_count)
        for intervention in todo:
            intervention._subcontract_product()
        res = super().action_plan()
        if todo:
            todo._create_purchase_orders()
        return res

    def action_create_purchase_order(self):
        self._create_purchase_orders()
        return True

    def _create_purchase_orders(self):
        self.check_access("write")
        missing = self.filtered(lambda i: not i.subcontractor_id)
        if missing:
            raise UserError(
                self.env._("Intervention %(name)s has no subcontractor.", name=missing[0].name)
            )
        # sudo: planners need not be purchasers; the order is the record of the
        # subcontracting agreed on the intervention they may write.
        orders = (
            self.env["purchase.order"]
            .sudo()
            .create([i._prepare_purchase_order_vals() for i in self])
        )
        orders.button_confirm()
        self.invalidate_recordset(["purchase_order_count"])
        for intervention, order in zip(self, orders, strict=True):
            intervention.message_post(
                body=self.env._("Purchase order %(order)s created.", order=order.name)
            )
        return orders

    def _subcontract_product(self):
        self.ensure_one()
        product = self.company_id.aftersales_subcontract_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set the subcontracted service product in the After-Sales settings of "
                    "%(company)s first.",
                    company=self.company_id.name,
                )
            )
        return product

    def _prepare_purchase_order_vals(self):
        self.ensure_one()
        product = self._subcontract_product()
        return {
            "partner_id": self.subcontractor_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "aftersales_intervention_id": self.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": f"{self.name} - {self.summary}",
                        "product_qty": 1.0,
                        "price_unit": self.subcontract_amount,
                        "date_planned": self.date_planned_start or fields.Datetime.now(),
                        "analytic_distribution": self.contract_id.analytic_distribution,
                    }
                )
            ],
        }

    def action_view_purchase_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_form_action")
        action["domain"] = [("aftersales_intervention_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
