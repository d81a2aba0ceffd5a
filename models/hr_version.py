from odoo import models


class HrVersion(models.Model):
    """An employee given other working hours has their stored weekly capacity
    rewritten at once (``aftersales.technician.capacity``)."""

    _inherit = "hr.version"

    def write(self, vals):
        res = super().write(vals)
        if "resource_calendar_id" in vals:
            Capacity = self.env["aftersales.technician.capacity"]
            # sudo: capacity is a system table; whoever changes the hours updates it
            Capacity._refresh_changed(self.sudo().employee_id, *Capacity._window())
        return res
