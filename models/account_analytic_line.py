from odoo import fields, models

from .aftersales_intervention_time import HOUR_KINDS, TIME_TYPES


class AccountAnalyticLine(models.Model):
    """Timesheet lines of interventions: written by the worksheet's time entries, they
    say whether the hours were work or travel, and normal, overtime or holiday hours,
    which pricing treats differently. Their cost is hr_timesheet's own (the employee's
    hourly cost)."""

    _inherit = "account.analytic.line"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
    )
    aftersales_time_id = fields.Many2one(
        "aftersales.intervention.time",
        string="Time Entry",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
    )
    aftersales_time_type = fields.Selection(TIME_TYPES, string="Work or Travel", readonly=True)
    aftersales_hour_kind = fields.Selection(HOUR_KINDS, string="Hour Kind", readonly=True)
