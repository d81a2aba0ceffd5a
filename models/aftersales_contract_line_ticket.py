from odoo import api, fields, models
from odoo.fields import Domain


class AftersalesContractLine(models.Model):
    """What the help desk asks of a contract line."""

    _inherit = "aftersales.contract.line"

    def _covers(self, partner, day, lot=None, product=None):
        """Python twin of ``_covering_domain`` for one line, used to split a batch search."""
        self.ensure_one()
        if self.partner_id != partner.commercial_partner_id or self.contract_state != "active":
            return False
        if not (self._coverage_start() <= day <= self._coverage_end()):
            return False
        if lot:
            return self.lot_id == lot
        return not self.lot_id and self.equipment_product_id == product

    ticket_ids = fields.One2many("aftersales.ticket", "contract_line_id", string="Tickets")

    @api.model
    def _covering_domain_batch(self, partners, day, lots=None, products=None):
        """A superset of ``_covering_domain`` for many customers and serials (or products)
        on one day, in one compact domain; ``_covers`` then tells which line covers what.
        (An OR of one ``_covering_domain`` per ticket costs more to build than to run.)"""
        domain = Domain("contract_state", "=", "active") & Domain(
            "partner_id", "in", partners.commercial_partner_id.ids
        )
        domain &= Domain("date_start", "<=", day) & (
            Domain("date_end", "=", False) | Domain("date_end", ">=", day)
        )
        domain &= Domain("contract_id.date_start", "<=", day) & (
            Domain("contract_id.date_end", "=", False) | Domain("contract_id.date_end", ">=", day)
        )
        if lots is not None:
            return domain & Domain("lot_id", "in", lots.ids)
        return (
            domain
            & Domain("lot_id", "=", False)
            & Domain("equipment_product_id", "in", products.ids)
        )
