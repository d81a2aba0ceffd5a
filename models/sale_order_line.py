from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

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

    @api.depends("aftersales_charge_ids")
    def _compute_qty_delivered_method(self):
        res = super()._compute_qty_delivered_method()
        for line in self:
            # sudo: the charges are the intervention's; whoever reads the order sees
            # how its lines are delivered
            charges = line.sudo().aftersales_charge_ids
            if charges and line.product_id.type == "service":
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

    @api.depends("aftersales_billed_by_contract")
    def _compute_qty_to_invoice(self):
        res = super()._compute_qty_to_invoice()
        for line in self.filtered("aftersales_billed_by_contract"):
            line.qty_to_invoice = 0.0
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
