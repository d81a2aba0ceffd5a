from odoo import fields, models

# A time entry may last at most a week, whatever a company configures.
MAX_TIME_ENTRY_HOURS = 168.0


class ResCompany(models.Model):
    """The timesheet project of the interventions that have no help desk team, and how
    long one time entry of a worksheet may last."""

    _inherit = "res.company"

    aftersales_time_entry_max_hours = fields.Float(
        string="Longest Time Entry (hours)",
        default=24.0,
        help="The longest a worksheet time entry may last; a longer job is recorded as "
        "several entries (at most 168 hours, a week).",
    )

    _aftersales_time_entry_max_hours_range = models.Constraint(
        f"CHECK (aftersales_time_entry_max_hours > 0"
        f" AND aftersales_time_entry_max_hours <= {MAX_TIME_ENTRY_HOURS})",
        "The longest time entry must last more than zero hours and at most a week (168 hours).",
    )

    aftersales_project_id = fields.Many2one(
        "project.project",
        string="Intervention Timesheet Project",
        help="Timesheets of interventions without a help desk team; created when missing.",
    )

    def _aftersales_ensure_project(self):
        self.ensure_one()
        if not self.aftersales_project_id:
            self.sudo().aftersales_project_id = (
                self.env["project.project"]
                .sudo()
                .create(
                    self.env["aftersales.team"]._prepare_project_vals(
                        self.env._("Interventions"), self
                    )
                )
            )
        return self.aftersales_project_id
