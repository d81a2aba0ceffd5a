from odoo import fields, models


class StockScrap(models.Model):
    """Serials scrapped on site during an intervention."""

    _inherit = "stock.scrap"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        copy=False,
        index="btree_not_null",
        readonly=True,
    )
    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket", string="Ticket", copy=False, index="btree_not_null", readonly=True
    )
    aftersales_move_id = fields.Many2one(
        "stock.move",
        string="Worksheet Line",
        copy=False,
        readonly=True,
        help="The intervention's worksheet line that becomes this scrap's move.",
    )

    def _create_scrap_move(self):
        """The worksheet line of the intervention is the scrap's move: no second move."""
        move = self.aftersales_move_id
        if not move:
            return super()._create_scrap_move()
        vals = self._prepare_move_values()
        vals.pop("state", None)
        move.write(vals)
        return move
