from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class StockLot(models.Model):
    """The warranty registry: who has each serial, since when, and until when it is covered."""

    _inherit = "stock.lot"

    aftersales_customer_id = fields.Many2one(
        "res.partner", string="Customer", index="btree_not_null", tracking=True
    )
    aftersales_delivery_date = fields.Date(string="Delivered On", tracking=True)
    aftersales_warranty_end = fields.Date(
        string="Warranty Until",
        compute="_compute_aftersales_warranty_end",
        store=True,
        readonly=False,
        tracking=True,
    )
    aftersales_under_warranty = fields.Boolean(
        string="Under Warranty",
        compute="_compute_aftersales_under_warranty",
        search="_search_aftersales_under_warranty",
    )
    aftersales_contract_line_ids = fields.One2many(
        "aftersales.contract.line",
        "lot_id",
        string="Contract Lines",
        groups="aftersales.group_aftersales_user",
    )
    aftersales_contract_count = fields.Integer(
        string="Contracts",
        compute="_compute_aftersales_contract_count",
        groups="aftersales.group_aftersales_user",
    )

    @api.depends("aftersales_delivery_date", "product_id.aftersales_warranty_months")
    def _compute_aftersales_warranty_end(self):
        for lot in self:
            months = lot.product_id.aftersales_warranty_months
            if lot.aftersales_delivery_date and months:
                lot.aftersales_warranty_end = lot.aftersales_delivery_date + relativedelta(
                    months=months
                )
            elif not lot.aftersales_warranty_end:
                lot.aftersales_warranty_end = False

    def _compute_aftersales_under_warranty(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.aftersales_under_warranty = bool(
                lot.aftersales_warranty_end and lot.aftersales_warranty_end >= today
            )

    def _search_aftersales_under_warranty(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        domain = [("aftersales_warranty_end", ">=", today)]
        positive = (operator == "in") == (True in value)
        return domain if positive else ["!", *domain]

    def _compute_aftersales_contract_count(self):
        counts = dict(
            self.env["aftersales.contract.line"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["contract_id:count_distinct"]
            )
        )
        for lot in self:
            lot.aftersales_contract_count = counts.get(lot, 0)

    def action_view_aftersales_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_contract_action"
        )
        action["domain"] = [("line_ids.lot_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _aftersales_register_delivery(self, partner, day):
        """Record that these serials were delivered to ``partner`` on ``day``."""
        self.write(
            {
                "aftersales_customer_id": partner.commercial_partner_id.id,
                "aftersales_delivery_date": day,
            }
        )
