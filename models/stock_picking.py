from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # sudo: the storekeeper may validate the delivery (checked by super()); the
        # warranty registry and the order's contracts are the system's bookkeeping, and
        # neither is the storekeeper's to read or edit otherwise.
        self.filtered(
            lambda p: p.state == "done" and p.location_dest_id.usage == "customer"
        ).sudo()._aftersales_on_delivered()
        return res

    def _aftersales_on_delivered(self):
        """Warranty registry and contract serials, for serials delivered to customers."""
        assignments = []
        used = set()
        for picking in self:
            move_lines = picking.move_line_ids.filtered(
                lambda ml: ml.lot_id and ml.product_id.tracking == "serial"
            )
            if not move_lines:
                continue
            day = fields.Date.context_today(picking, picking.date_done)
            partner = picking.partner_id or picking.sale_id.partner_id
            move_lines.lot_id._aftersales_register_delivery(partner, day)
            contracts = picking.sale_id.aftersales_contract_ids.filtered(
                lambda c: c.state in ("draft", "active")
            )
            for move_line in move_lines:
                placeholder = contracts.line_ids.filtered(
                    lambda line, ml=move_line: (
                        line.equipment_product_id == ml.product_id
                        and not line.lot_id
                        and line.id not in used
                    )
                )[:1]
                if placeholder:
                    used.add(placeholder.id)
                    assignments.append((placeholder, move_line.lot_id))
        for line, lot in assignments:
            line.lot_id = lot


class StockPickingIntervention(models.Model):
    """Delivery notes and pick-ups of interventions."""

    _inherit = "stock.picking"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        copy=False,
        index="btree_not_null",
        readonly=True,
    )
