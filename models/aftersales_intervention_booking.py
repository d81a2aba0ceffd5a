from odoo import fields, models

ACTIVE_STATES = ("planned", "in_progress")


class AftersalesInterventionBooking(models.Model):
    """When a technician or a vehicle is taken by a planned intervention.

    The system writes one row per technician and per vehicle of each planned or started
    intervention; nobody edits them. The exclusion constraints make double bookings
    impossible even when two dispatchers save at the same moment: the database refuses
    the second overlapping row, whatever each transaction saw. A booking forced by a
    manager is left out of the constraint. A booking belongs to its intervention's
    company, and only that company's users see it.
    """

    _name = "aftersales.intervention.booking"
    _description = "Intervention Booking"
    _inherit = ["aftersales.field.policy"]
    _order = "date_start, id"

    intervention_id = fields.Many2one(
        "aftersales.intervention", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="intervention_id.company_id", store=True, index=True, precompute=True
    )
    resource_kind = fields.Selection(
        [("employee", "Technician"), ("vehicle", "Vehicle")], required=True
    )
    resource_id = fields.Integer(required=True, help="The hr.employee or fleet.vehicle id.")
    date_start = fields.Datetime(required=True)
    date_end = fields.Datetime(required=True)
    forced = fields.Boolean()

    _end_after_start = models.Constraint(
        "CHECK (date_end > date_start)", "A booking must end after it starts."
    )
    _employee_free = models.Constraint(
        "EXCLUDE USING gist (int4range(resource_id, resource_id, '[]') WITH &&,"
        " tsrange(date_start, date_end) WITH &&)"
        " WHERE (resource_kind = 'employee' AND forced IS NOT TRUE)",
        "This technician is already booked at that time: plan another time, or ask a "
        "manager to force it.",
    )
    _vehicle_free = models.Constraint(
        "EXCLUDE USING gist (int4range(resource_id, resource_id, '[]') WITH &&,"
        " tsrange(date_start, date_end) WITH &&)"
        " WHERE (resource_kind = 'vehicle' AND forced IS NOT TRUE)",
        "This vehicle is already booked at that time: plan another time, or ask a "
        "manager to force it.",
    )
