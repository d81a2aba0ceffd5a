from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain


class AftersalesContractEquipmentWizard(models.TransientModel):
    """What this customer bought: serials and products delivered to the customer, from
    done stock moves, to add to the contract as covered lines."""

    _name = "aftersales.contract.equipment.wizard"
    _description = "Add Purchased Equipment to a Contract"

    contract_id = fields.Many2one("aftersales.contract", required=True, readonly=True)
    date_start = fields.Date(
        string="Covered From",
        required=True,
        default=fields.Date.context_today,
        help="The new lines are covered, and billed pro rata, from this day.",
    )
    line_ids = fields.One2many(
        "aftersales.contract.equipment.wizard.line", "wizard_id", string="Delivered Items"
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        contract = self.env["aftersales.contract"].browse(res.get("contract_id"))
        if contract and "line_ids" in fields_list:
            res["line_ids"] = [Command.create(vals) for vals in self._delivered_items(contract)]
        return res

    @api.model
    def _delivered_items(self, contract):
        """Serials and products delivered to the contract's commercial entity and not
        returned, less those the contract already covers."""
        partner = contract.commercial_partner_id
        MoveLine = self.env["stock.move.line"]
        base = Domain("state", "=", "done") & Domain("product_id.type", "=", "consu")
        out_domain = (
            base
            & Domain("location_dest_id.usage", "=", "customer")
            & Domain("picking_partner_id", "child_of", partner.id)
        )
        in_domain = (
            base
            & Domain("location_id.usage", "=", "customer")
            & Domain("picking_partner_id", "child_of", partner.id)
        )
        groupby = ["product_id", "lot_id"]
        delivered = MoveLine._read_group(out_domain, groupby, ["quantity:sum", "date:max"])
        returned = {
            (product, lot): qty
            for product, lot, qty in MoveLine._read_group(in_domain, groupby, ["quantity:sum"])
        }
        covered_lots = contract.line_ids.lot_id
        items = []
        for product, lot, qty, last_date in delivered:
            qty -= returned.get((product, lot), 0.0)
            if qty <= 0 or (lot and lot in covered_lots):
                continue
            items.append(
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "date_delivered": last_date.date(),
                }
            )
        # serials of the warranty registry with no delivery in Odoo (machines sold
        # before the module, imported with their customer)
        listed = covered_lots | self.env["stock.lot"].browse(
            [lot.id for _product, lot, _qty, _date in delivered if lot]
        )
        registry = self.env["stock.lot"].search(
            [("aftersales_customer_id", "child_of", partner.id), ("id", "not in", listed.ids)]
        )
        items += [
            {
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": 1.0,
                "date_delivered": lot.aftersales_delivery_date,
            }
            for lot in registry
        ]
        return items

    def _prepare_contract_line_vals(self, item):
        """A covered line of the contract for one picked item."""
        template = self.contract_id.template_id
        vals = {
            "contract_id": self.contract_id.id,
            "equipment_product_id": item.product_id.id,
            "lot_id": item.lot_id.id,
            "quantity": 1.0 if item.lot_id else item.quantity,
            "date_start": self.date_start,
        }
        if template:
            vals.update(template._prepare_coverage_vals())
            if template.equipment_fee_product_id:
                vals["product_id"] = template.equipment_fee_product_id.id
        return vals

    def action_add(self):
        self.ensure_one()
        picked = self.line_ids.filtered("selected")
        if not picked:
            raise UserError(self.env._("Pick at least one item to add to the contract."))
        if self.contract_id.state not in ("draft", "active"):
            raise UserError(
                self.env._("Items can only be added to proposals and active contracts.")
            )
        self.env["aftersales.contract.line"].create(
            [self._prepare_contract_line_vals(item) for item in picked]
        )
        return {"type": "ir.actions.act_window_close"}
