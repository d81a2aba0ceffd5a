from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesUtilisationReport(models.Model):
    """Utilisation, one row per technician and week (weeks start on Monday).

    * Available: the stored weekly capacity (``aftersales.technician.capacity``): the
      employee's working calendar less public holidays and leaves.
    * Planned: the planned hours of the interventions (not cancelled) the technician is
      on, in the week of their planned start (in the employee's time zone).
    * Worked, overtime, holiday and travel: the intervention timesheet lines of the
      employee, by their date: work lines, work lines of overtime or public-holiday
      hours, travel lines.
    * Utilisation: worked / available, as a ratio of the sums at every level.

    The team is the technician's first help desk team (the lowest id): one row per
    week, so that the sums never count a technician twice.
    """

    _name = "aftersales.utilisation.report"
    _inherit = ["aftersales.report.mixin"]
    _description = "Technician Utilisation"
    _auto = False
    _order = "week_start desc, employee_id"
    _rec_name = "employee_id"
    # flushed before the view is read
    _depends = {
        "aftersales.technician.capacity": ["employee_id", "week_start", "available_hours"],
        "aftersales.intervention": [
            "state",
            "date_planned_start",
            "planned_hours",
            "employee_ids",
        ],
        "account.analytic.line": [
            "employee_id",
            "date",
            "unit_amount",
            "aftersales_intervention_id",
            "aftersales_time_type",
            "aftersales_hour_kind",
        ],
        "hr.employee": ["user_id", "company_id", "resource_id"],
        "aftersales.team": ["member_ids"],
    }
    _report_ratios = {
        "utilisation": ("worked_hours", "available_hours"),
        "planned_load": ("planned_hours", "available_hours"),
    }

    employee_id = fields.Many2one("hr.employee", string="Technician", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    week_start = fields.Date(string="Week", readonly=True)
    available_hours = fields.Float(string="Available (h)", readonly=True)
    planned_hours = fields.Float(string="Planned (h)", readonly=True)
    worked_hours = fields.Float(string="Worked (h)", readonly=True)
    overtime_hours = fields.Float(string="Overtime (h)", readonly=True)
    holiday_hours = fields.Float(string="Public Holiday (h)", readonly=True)
    travel_hours = fields.Float(string="Travel (h)", readonly=True)
    utilisation = fields.Float(
        string="Utilisation (%)",
        aggregator="avg",
        readonly=True,
        help="Hours worked out of the hours available.",
    )
    planned_load = fields.Float(
        string="Planned Load (%)",
        aggregator="avg",
        readonly=True,
        help="Hours planned out of the hours available.",
    )

    @api.model
    def _view_query(self):
        return SQL(
            """
            WITH figures AS (
                SELECT c.employee_id, c.week_start,
                       c.available_hours AS available, 0.0 AS planned, 0.0 AS worked,
                       0.0 AS overtime, 0.0 AS holiday, 0.0 AS travel
                  FROM aftersales_technician_capacity c
                UNION ALL
                SELECT rel.hr_employee_id,
                       date_trunc('week', i.date_planned_start AT TIME ZONE 'UTC'
                                  AT TIME ZONE COALESCE(rr.tz, 'UTC'))::date,
                       0.0, i.planned_hours, 0.0, 0.0, 0.0, 0.0
                  FROM aftersales_intervention i
                  JOIN aftersales_intervention_hr_employee_rel rel
                    ON rel.aftersales_intervention_id = i.id
                  JOIN hr_employee e ON e.id = rel.hr_employee_id
                  LEFT JOIN resource_resource rr ON rr.id = e.resource_id
                 WHERE i.state != 'cancel' AND i.date_planned_start IS NOT NULL
                UNION ALL
                SELECT l.employee_id, date_trunc('week', l.date)::date, 0.0, 0.0,
                       CASE WHEN l.aftersales_time_type = 'work' THEN l.unit_amount ELSE 0 END,
                       CASE WHEN l.aftersales_time_type = 'work'
                             AND l.aftersales_hour_kind = 'overtime' THEN l.unit_amount ELSE 0 END,
                       CASE WHEN l.aftersales_time_type = 'work'
                             AND l.aftersales_hour_kind = 'holiday' THEN l.unit_amount ELSE 0 END,
                       CASE WHEN l.aftersales_time_type = 'travel' THEN l.unit_amount ELSE 0 END
                  FROM account_analytic_line l
                 WHERE l.aftersales_intervention_id IS NOT NULL AND l.employee_id IS NOT NULL
            ), weeks AS (
                SELECT employee_id, week_start,
                       SUM(available) AS available, SUM(planned) AS planned,
                       SUM(worked) AS worked, SUM(overtime) AS overtime,
                       SUM(holiday) AS holiday, SUM(travel) AS travel
                  FROM figures
                 GROUP BY employee_id, week_start
            )
            SELECT ROW_NUMBER() OVER (ORDER BY w.employee_id, w.week_start) AS id,
                   w.employee_id, e.user_id, e.company_id, team.team_id, w.week_start,
                   w.available AS available_hours, w.planned AS planned_hours,
                   w.worked AS worked_hours, w.overtime AS overtime_hours,
                   w.holiday AS holiday_hours, w.travel AS travel_hours,
                   CASE WHEN w.available > 0 THEN 100.0 * w.worked / w.available END
                       AS utilisation,
                   CASE WHEN w.available > 0 THEN 100.0 * w.planned / w.available END
                       AS planned_load
              FROM weeks w
              JOIN hr_employee e ON e.id = w.employee_id
              LEFT JOIN LATERAL (
                   SELECT min(m.team_id) AS team_id
                     FROM aftersales_team_member_rel m
                    WHERE m.user_id = e.user_id
              ) team ON TRUE
            """
        )
