from odoo import fields, models


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    aftersales_location_id = fields.Many2one(
        "stock.location",
        string="Van Location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="The stock location of the spare parts carried in this vehicle; technicians "
        "driving it use their materials from here. Refill it by internal transfers.",
    )
