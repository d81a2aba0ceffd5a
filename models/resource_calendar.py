from odoo import models


class ResourceCalendar(models.Model):
    """New working hours change the technicians' stored weekly capacity at once."""

    _inherit = "resource.calendar"

    def write(self, vals):
        res = super().write(vals)
        if {"attendance_ids", "tz", "two_weeks_calendar"} & vals.keys():
            # sudo: capacity is a system table; whoever edits the hours updates it
            employees = (
                self.env["hr.employee"].sudo().search([("resource_calendar_id", "in", self.ids)])
            )
            Capacity = self.env["aftersales.technician.capacity"]
            Capacity._refresh_changed(employees, *Capacity._window())
        return res
