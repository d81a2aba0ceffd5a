from odoo import fields, models


class AftersalesContractEquipmentWizardLine(models.TransientModel):
    _name = "aftersales.contract.equipment.wizard.line"
    _description = "Delivered Item"
    _order = "date_delivered desc, id"

    wizard_id = fields.Many2one(
        "aftersales.contract.equipment.wizard", required=True, ondelete="cascade"
    )
    selected = fields.Boolean(string="Add")
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    quantity = fields.Float(digits="Product Unit", readonly=True)
    date_delivered = fields.Date(string="Delivered On", readonly=True)
