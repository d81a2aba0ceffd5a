from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AftersalesIntervention(models.Model):
    """Vehicles: the odometer at the start and at the end of a visit.

    Finishing the intervention writes the two readings into the fleet's odometer log
    (``fleet.vehicle.odometer``), once per visit and never below the vehicle's last
    reading; the kilometres of the visit are stored for reporting and costing.
    """

    _inherit = "aftersales.intervention"

    odometer_start = fields.Float(string="Odometer at Start", tracking=True, copy=False)
    odometer_end = fields.Float(string="Odometer at End", tracking=True, copy=False)
    odometer_km = fields.Float(
        string="Vehicle km",
        compute="_compute_odometer_km",
        store=True,
        help="Kilometres driven by the vehicle for this intervention (end - start reading).",
    )
    odometer_ids = fields.One2many(
        "fleet.vehicle.odometer",
        "aftersales_intervention_id",
        string="Odometer Readings",
        groups="fleet.fleet_group_user",
    )

    @api.constrains("odometer_start", "odometer_end")
    def _check_odometer(self):
        for intervention in self:
            start, end = intervention.odometer_start, intervention.odometer_end
            if start < 0 or end < 0:
                raise ValidationError(self.env._("Odometer readings cannot be negative."))
            if start and end and end < start:
                raise ValidationError(
                    self.env._(
                        "Intervention %(name)s: the odometer at the end (%(end)s) is below the "
                        "one at the start (%(start)s).",
                        name=intervention.name,
                        end="%g" % end,
                        start="%g" % start,
                    )
                )

    @api.depends("odometer_start", "odometer_end")
    def _compute_odometer_km(self):
        for intervention in self:
            start, end = intervention.odometer_start, intervention.odometer_end
            intervention.odometer_km = end - start if start and end else 0.0

    # sudo: technicians drive and read the odometer; the fleet log is the system's
    def _finish_check(self):
        res = super()._finish_check()
        self.sudo()._check_odometer_last_reading()
        return res

    def _finish_write_records(self):
        res = super()._finish_write_records()
        self.sudo()._write_odometer_readings()
        return res

    def _check_odometer_last_reading(self):
        todo = self.filtered(lambda i: i.vehicle_id and (i.odometer_start or i.odometer_end))
        if not todo:
            return
        last = todo._odometer_last_readings()
        for intervention in todo:
            highest = last.get(intervention.vehicle_id, 0.0)
            lowest = min(r for r in (intervention.odometer_start, intervention.odometer_end) if r)
            if lowest < highest:
                raise UserError(
                    intervention.env._(
                        "Intervention %(name)s: odometer %(value)s is below the last reading "
                        "of %(vehicle)s (%(last)s).",
                        name=intervention.name,
                        value="%g" % lowest,
                        vehicle=intervention.vehicle_id.display_name,
                        last="%g" % highest,
                    )
                )

    def _odometer_last_readings(self):
        """{vehicle: highest reading not written by these interventions}, one query."""
        vehicles = self.vehicle_id
        groups = self.env["fleet.vehicle.odometer"]._read_group(
            [
                ("vehicle_id", "in", vehicles.ids),
                "|",
                ("aftersales_intervention_id", "=", False),
                ("aftersales_intervention_id", "not in", self.ids),
            ],
            ["vehicle_id"],
            ["value:max"],
        )
        return dict(groups)

    def _write_odometer_readings(self):
        todo = self.filtered(lambda i: i.vehicle_id and (i.odometer_start or i.odometer_end))
        if not todo:
            return
        todo._check_odometer_last_reading()
        vals_list = []
        for intervention in todo:
            existing = {r.aftersales_reading: r for r in intervention.odometer_ids}
            for reading, value, when in (
                ("start", intervention.odometer_start, intervention.date_start),
                ("end", intervention.odometer_end, intervention.date_end),
            ):
                if not value:
                    continue
                vals = intervention._prepare_odometer_vals(reading, value, when)
                if reading in existing:
                    existing[reading].write(vals)
                else:
                    vals_list.append(vals)
        self.env["fleet.vehicle.odometer"].create(vals_list)

    def _prepare_odometer_vals(self, reading, value, when):
        self.ensure_one()
        return {
            "vehicle_id": self.vehicle_id.id,
            "value": value,
            "date": fields.Date.context_today(self, when or fields.Datetime.now()),
            "aftersales_intervention_id": self.id,
            "aftersales_reading": reading,
        }
