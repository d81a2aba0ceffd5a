from odoo import api, models

# what makes a leave count against a technician's week
CAPACITY_FIELDS = {"date_from", "date_to", "resource_id", "calendar_id", "company_id", "time_type"}


class ResourceCalendarLeaves(models.Model):
    """A leave or a public holiday changes the technicians' weekly capacity at once
    (``aftersales.technician.capacity``), not at the next nightly refresh."""

    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._aftersales_refresh_capacity()
        return leaves

    def write(self, vals):
        if not CAPACITY_FIELDS & vals.keys():
            return super().write(vals)
        before = self._aftersales_capacity_scope()
        res = super().write(vals)
        self._aftersales_refresh_capacity(before)
        return res

    def unlink(self):
        before = self._aftersales_capacity_scope()
        res = super().unlink()
        self.env["resource.calendar.leaves"]._aftersales_refresh_capacity(before)
        return res

    def _aftersales_capacity_scope(self):
        """``(employees, first day, last day)`` whose capacity these leaves touch: the
        employee of a personal leave, else every employee of the leave's calendar (every
        employee of the company, for a holiday on no calendar)."""
        # sudo: capacity is a system table; whoever enters a leave updates it
        leaves = self.sudo().filtered(lambda leave: leave.date_from and leave.date_to)
        if not leaves:
            return None
        Employee = self.env["hr.employee"].sudo()
        employees = leaves.resource_id.employee_id
        general = leaves.filtered(lambda leave: not leave.resource_id)
        if general:
            calendars = general.calendar_id
            domain = [("company_id", "in", general.company_id.ids)]
            if all(general.mapped("calendar_id")):
                domain = [("resource_calendar_id", "in", calendars.ids)]
            employees |= Employee.search(domain)
        return (
            employees,
            min(leaves.mapped("date_from")).date(),
            max(leaves.mapped("date_to")).date(),
        )

    def _aftersales_refresh_capacity(self, before=None):
        Capacity = self.env["aftersales.technician.capacity"]
        for scope in (before, self.exists()._aftersales_capacity_scope()):
            if scope:
                Capacity._refresh_changed(*scope)
