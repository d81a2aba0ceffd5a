from collections import defaultdict

from odoo import fields, models

PRICE_CACHE = "aftersales_charge_material_prices"


class AftersalesIntervention(models.Model):
    """Charges of what was used or bought: the materials used (the done stock moves of
    the intervention's delivery), at the customer's pricelist price, costing their stock
    valuation; and the subcontractor's work, one line per purchase order line.

    Subcontracting is re-invoiced at the agreed price: the purchase order line's unit
    price (converted to the company's currency) is both what the customer is charged
    and, with its subtotal, what it costs; a margin on it is a manager's adjustment.
    Its coverage is labour's."""

    _inherit = "aftersales.intervention"

    def _prepare_charge_vals_list(self):
        vals_list = super()._prepare_charge_vals_list()
        vals_list.extend(self._prepare_material_charge_vals_list())
        vals_list.extend(self._prepare_subcontract_charge_vals_list())
        return vals_list

    def _charge_material_moves(self):
        self.ensure_one()
        return self.sudo().material_move_ids.filtered(lambda m: m.state == "done" and m.quantity)

    def _compute_charges(self):
        # the pricelist prices of the whole batch at once, read back line by line
        cache = self.env.cr.cache
        cache[PRICE_CACHE] = self._material_prices()
        try:
            return super()._compute_charges()
        finally:
            cache.pop(PRICE_CACHE, None)

    def _material_prices(self):
        """{move id: unit price in the product's unit} of the materials of ``self``,
        through their customers' pricelists, in the company's currency: one pricelist
        computation per pricelist, quantity and day, whatever the batch size."""
        groups = defaultdict(lambda: self.env["stock.move"])
        for intervention in self.sudo():
            pricelist = intervention.commercial_partner_id.with_company(
                intervention.company_id
            ).property_product_pricelist
            day = fields.Date.context_today(intervention, intervention.date_end)
            for move in intervention._charge_material_moves():
                qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                groups[pricelist, intervention.company_id, qty, day] |= move
        prices = {}
        for (pricelist, company, qty, day), moves in groups.items():
            found = pricelist.with_company(company)._compute_price_rule(
                moves.product_id, qty, currency=company.currency_id, date=day
            )
            for move in moves:
                prices[move.id] = found[move.product_id.id][0]
        return prices

    def _prepare_material_charge_vals_list(self):
        self.ensure_one()
        moves = self._charge_material_moves()
        if not moves:
            return []
        prices = self.env.cr.cache.get(PRICE_CACHE) or {}
        if any(move.id not in prices for move in moves):
            prices = self._material_prices()
        vals_list = []
        for move in moves:
            product = move.product_id
            name = product.display_name
            if move.aftersales_lot_id:
                name = f"{name} ({move.aftersales_lot_id.name})"
            vals_list.append(
                {
                    "kind": "material",
                    "name": name,
                    "product_id": product.id,
                    "quantity": move.product_uom._compute_quantity(move.quantity, product.uom_id),
                    "price_unit": prices[move.id],
                    "stock_move_id": move.id,
                }
            )
        return vals_list

    def _prepare_subcontract_charge_vals_list(self):
        self.ensure_one()
        orders = self.sudo().purchase_order_ids.filtered(lambda o: o.state != "cancel")
        vals_list = []
        for line in orders.order_line.filtered(lambda line: not line.display_type):
            order = line.order_id
            price = line.currency_id._convert(
                line.price_unit,
                self.company_id.currency_id,
                self.company_id,
                order.date_approve or order.date_order or fields.Date.today(),
            )
            vals_list.append(
                {
                    "kind": "subcontract",
                    "name": f"{order.partner_id.name}: {line.name}",
                    "product_id": line.product_id.id,
                    "quantity": line.product_qty,
                    "price_unit": price,
                    "purchase_line_id": line.id,
                }
            )
        return vals_list
