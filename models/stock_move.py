from odoo import api, fields, models
from odoo.exceptions import ValidationError

AFTERSALES_LINE_TYPES = [
    ("used", "Used"),
    ("pickup", "Picked Up for Repair"),
    ("scrap", "Scrapped on Site"),
]


class StockMove(models.Model):
    """Worksheet materials of interventions, as repair's parts: a move with a line type.

    ``used``: from the van (or the subcontractor) to the customer, validated on the
    intervention's one delivery picking. ``pickup``: a defective serial from the
    customer to the repair location, on an incoming picking. ``scrap``: a serial
    scrapped on site, the move of a ``stock.scrap``.
    """

    _inherit = "stock.move"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        check_company=True,
        index="btree_not_null",
        copy=False,
        ondelete="cascade",
    )
    aftersales_line_type = fields.Selection(AFTERSALES_LINE_TYPES, string="Line Type", copy=False)
    aftersales_lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        help="The lot or serial used or picked up, entered on the worksheet.",
    )
    aftersales_replacement_lot_id = fields.Many2one(
        "stock.lot",
        string="Replaced By",
        check_company=True,
        help="The new serial left at the customer's instead of this one: its contract lines "
        "and its warranty move to the new serial.",
    )
    aftersales_vendor_id = fields.Many2one(
        "res.partner",
        string="Supplied By",
        check_company=True,
        help="Material supplied by the subcontractor, not taken from the van: its cost comes "
        "with the subcontractor's purchase order.",
    )

    @api.depends(
        "aftersales_intervention_id.van_location_id",
        "aftersales_intervention_id.return_location_id",
        "aftersales_line_type",
        "aftersales_vendor_id",
    )
    def _compute_location_id(self):
        worksheet = self.filtered(lambda m: m._aftersales_is_worksheet())
        for move in worksheet:
            move.location_id = move._aftersales_locations()[0]
        return super(StockMove, self - worksheet)._compute_location_id()

    @api.depends(
        "aftersales_intervention_id.van_location_id",
        "aftersales_intervention_id.return_location_id",
        "aftersales_line_type",
    )
    def _compute_location_dest_id(self):
        worksheet = self.filtered(lambda m: m._aftersales_is_worksheet())
        for move in worksheet:
            move.location_dest_id = move._aftersales_locations()[1]
        return super(StockMove, self - worksheet)._compute_location_dest_id()

    def _aftersales_is_worksheet(self):
        """A worksheet line not yet on a picking or a scrap: its locations follow the
        intervention."""
        self.ensure_one()
        return bool(
            self.aftersales_intervention_id
            and self.aftersales_line_type
            and not self.picking_id
            and not self.scrap_id
            and self.state == "draft"
        )

    def _aftersales_locations(self):
        """(source, destination) of a worksheet line."""
        self.ensure_one()
        intervention = self.aftersales_intervention_id
        customer = intervention._aftersales_customer_location()
        if self.aftersales_line_type == "used":
            source = (
                self.env.ref("stock.stock_location_suppliers")
                if self.aftersales_vendor_id
                else intervention.van_location_id
                or self.location_id
                or intervention._aftersales_warehouse().lot_stock_id
            )
            return source, customer
        if self.aftersales_line_type == "pickup":
            return customer, intervention.return_location_id or self.location_dest_id
        return customer, intervention._aftersales_scrap_location() or self.location_dest_id

    @api.constrains(
        "aftersales_lot_id", "product_id", "product_uom_qty", "aftersales_replacement_lot_id"
    )
    def _check_aftersales_lot(self):
        for move in self.filtered("aftersales_intervention_id"):
            if move.product_uom.compare(move.product_uom_qty, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The quantity of %(product)s must be positive.",
                        product=move.product_id.display_name,
                    )
                )
            lot = move.aftersales_lot_id
            if lot and lot.product_id != move.product_id:
                raise ValidationError(
                    self.env._(
                        "Lot %(lot)s is a lot of %(lot_product)s, not of %(product)s.",
                        lot=lot.name,
                        lot_product=lot.product_id.display_name,
                        product=move.product_id.display_name,
                    )
                )
            if move.aftersales_replacement_lot_id and move.aftersales_replacement_lot_id == lot:
                raise ValidationError(
                    self.env._("Serial %(lot)s cannot replace itself.", lot=lot.name)
                )

    @api.constrains("aftersales_lot_id", "aftersales_line_type", "aftersales_intervention_id")
    def _check_aftersales_pickup(self):
        """A serial is picked up only where the warranty registry puts it."""
        for move in self.filtered(lambda m: m.aftersales_line_type in ("pickup", "scrap")):
            lot = move.aftersales_lot_id
            if not lot:
                raise ValidationError(
                    self.env._(
                        "Picked-up %(product)s: enter the serial taken away.",
                        product=move.product_id.display_name,
                    )
                )
            customer = move.aftersales_intervention_id.commercial_partner_id
            if lot.sudo().aftersales_customer_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Serial %(lot)s is not registered to %(customer)s: it cannot be "
                        "picked up at this customer's.",
                        lot=lot.name,
                        customer=customer.display_name,
                    )
                )

    def _aftersales_prepare_move_line_vals(self):
        self.ensure_one()
        return {
            "move_id": self.id,
            "picking_id": self.picking_id.id,
            "product_id": self.product_id.id,
            "product_uom_id": self.product_uom.id,
            "quantity": self.product_uom_qty,
            "lot_id": self.aftersales_lot_id.id,
            "location_id": self.location_id.id,
            "location_dest_id": self.location_dest_id.id,
            "company_id": self.company_id.id,
            "picked": self.aftersales_line_type == "used",
        }

    def _aftersales_prepare_scrap_vals(self):
        self.ensure_one()
        intervention = self.aftersales_intervention_id
        return {
            "product_id": self.product_id.id,
            "product_uom_id": self.product_uom.id,
            "scrap_qty": self.product_uom_qty,
            "lot_id": self.aftersales_lot_id.id,
            "location_id": intervention._aftersales_customer_location().id,
            "company_id": intervention.company_id.id,
            "origin": intervention.name,
            "aftersales_intervention_id": intervention.id,
            "aftersales_ticket_id": intervention.ticket_id.id,
            "aftersales_move_id": self.id,
        }
