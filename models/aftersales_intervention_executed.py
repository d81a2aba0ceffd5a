from odoo import api, fields, models


class AftersalesIntervention(models.Model):
    """Planned against executed, stored so that list, pivot and graph group and sum
    them: hours and dates per intervention (and so per technician, team, contract), and
    preventive visits due against done per contract and contract year."""

    _inherit = "aftersales.intervention"

    actual_duration = fields.Float(
        compute="_compute_executed",
        store=True,
        help="Hours from the actual start to the actual finish.",
    )
    hours_variance = fields.Float(
        compute="_compute_executed",
        store=True,
        help="Hours recorded on the worksheet less the planned hours.",
    )
    start_delay = fields.Float(
        string="Start Delay (h)",
        compute="_compute_executed",
        store=True,
        help="Hours between the planned and the actual start (negative when early).",
    )
    preventive_due = fields.Integer(
        compute="_compute_preventive_counts",
        store=True,
        help="1 for a preventive visit of a contract year that is not cancelled.",
    )
    preventive_done = fields.Integer(
        compute="_compute_preventive_counts",
        store=True,
        help="1 for a preventive visit of a contract year that is done.",
    )

    @api.depends(
        "planned_hours", "actual_hours", "date_start", "date_end", "date_planned_start", "state"
    )
    def _compute_executed(self):
        for intervention in self:
            start, end = intervention.date_start, intervention.date_end
            intervention.actual_duration = (
                (end - start).total_seconds() / 3600 if start and end else 0.0
            )
            intervention.hours_variance = (
                intervention.actual_hours - intervention.planned_hours
                if intervention.state == "done"
                else 0.0
            )
            intervention.start_delay = (
                (start - intervention.date_planned_start).total_seconds() / 3600
                if start and intervention.date_planned_start
                else 0.0
            )

    @api.depends("preventive_line_id", "state")
    def _compute_preventive_counts(self):
        for intervention in self:
            due = bool(intervention.preventive_line_id) and intervention.state != "cancel"
            intervention.preventive_due = int(due)
            intervention.preventive_done = int(due and intervention.state == "done")
