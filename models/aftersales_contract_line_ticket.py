from odoo import fields, models


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
