from odoo import fields, models


class FleetVehicleOdometer(models.Model):
    """Readings taken at the start and at the end of a visit."""

    _inherit = "fleet.vehicle.odometer"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    aftersales_reading = fields.Selection(
        [("start", "Start"), ("end", "End")], string="Visit Reading", readonly=True
    )

    _aftersales_once_per_visit = models.UniqueIndex(
        "(aftersales_intervention_id, aftersales_reading)"
        " WHERE aftersales_intervention_id IS NOT NULL",
        "A visit has one start and one end reading.",
    )
