from odoo import fields, models


class ResCompany(models.Model):
    """The timesheet project of the interventions that have no help desk team."""

    _inherit = "res.company"

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
