from odoo import fields, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    aftersales_location_id = fields.Many2one(
        "stock.location",
        string="Van Location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        groups="hr.group_hr_user",
        help="The stock location of the technician's own van, used when the intervention "
        "has no vehicle with a location. Refill it by internal transfers.",
    )
