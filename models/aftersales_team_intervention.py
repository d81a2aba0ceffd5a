from odoo import api, fields, models


class AftersalesTeam(models.Model):
    """What a help desk team sets for its interventions: the project its technicians'
    timesheets go to, and whether a visit closes only with the customer's signature."""

    _inherit = "aftersales.team"

    project_id = fields.Many2one(
        "project.project",
        string="Timesheet Project",
        check_company=True,
        domain="[('allow_timesheets', '=', True)]",
        help="The technicians' intervention hours are timesheets of this project; one is "
        "created for the team when it has none.",
    )
    signature_required = fields.Boolean(
        help="An intervention of this team is finished only once the customer has signed "
        "its service report.",
    )

    @api.model
    def _prepare_project_vals(self, name, company):
        return {
            "name": name,
            "allow_timesheets": True,
            "company_id": company.id,
            "privacy_visibility": "followers",
        }

    def _ensure_project(self):
        """The team's timesheet project, created when missing (as a system record)."""
        missing = self.filtered(lambda t: not t.project_id)
        if missing:
            projects = (
                self.env["project.project"]
                .sudo()
                .create(
                    [
                        self._prepare_project_vals(
                            self.env._("Interventions - %s", team.name), team.company_id
                        )
                        for team in missing
                    ]
                )
            )
            for team, project in zip(missing, projects, strict=True):
                team.sudo().project_id = project
        return self.project_id
