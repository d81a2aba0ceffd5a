from odoo import api, fields, models
from odoo.tools import SQL

from ..models.aftersales_coverage_mixin import COVERAGE_KINDS
from ..models.aftersales_ticket import PRIORITIES
from ..models.aftersales_ticket_sla import SLA_STATUSES

REPEAT_DAYS = 30


class AftersalesServiceLevelReport(models.Model):
    """Service levels, one row per ticket.

    The response and resolution times are the working hours stored on the ticket when
    it moved (``aftersales_ticket_service_level.py``): summed and averaged here, never
    recomputed. A target is met when its event came before its deadline, breached when
    it came after, or has not come and the deadline has passed. First-time fix: solved
    with at most one finished intervention. Repeat call: the same serial called in the
    30 days before. A cancelled ticket (a duplicate, a mistake) has no resolution time
    and meets or breaches no resolution target: it is counted apart, as cancelled.
    """

    _name = "aftersales.service.level.report"
    _inherit = ["aftersales.report.mixin"]
    _description = "Service Level Analysis"
    _auto = False
    _order = "date_open desc"
    _rec_name = "ticket_id"
    # flushed before the view is read
    _depends = {
        "aftersales.ticket": [
            "active",
            "company_id",
            "team_id",
            "user_id",
            "commercial_partner_id",
            "product_id",
            "lot_id",
            "contract_id",
            "stage_id",
            "priority",
            "coverage_kind",
            "sla_status",
            "date_open",
            "date_closed",
            "date_first_reply",
            "is_closed",
            "sla_response_time",
            "sla_resolution_time",
            "sla_response_deadline",
            "sla_resolution_deadline",
        ],
        "aftersales.ticket.stage": ["is_closing", "is_cancelling"],
        "aftersales.intervention": ["ticket_id", "state"],
    }
    _report_ratios = {
        "response_compliance": ("response_met", "response_measured"),
        "resolution_compliance": ("resolution_met", "resolution_measured"),
        "first_time_fix_rate": ("first_time_fix", "solved"),
        "repeat_rate": ("repeat_call", "nbr"),
    }

    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", string="Equipment", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", readonly=True)
    contract_id = fields.Many2one("aftersales.contract", readonly=True)
    stage_id = fields.Many2one("aftersales.ticket.stage", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    coverage_kind = fields.Selection(COVERAGE_KINDS, readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA", readonly=True)
    date_open = fields.Datetime(string="Received", readonly=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)

    nbr = fields.Integer(string="Tickets", readonly=True)
    open_count = fields.Integer(string="Open Tickets", readonly=True)
    cancelled = fields.Integer(
        string="Cancelled Tickets",
        readonly=True,
        help="Tickets cancelled (a duplicate, a mistake): they have no resolution time.",
    )
    response_time = fields.Float(string="Response Time (h)", aggregator="avg", readonly=True)
    resolution_time = fields.Float(string="Resolution Time (h)", aggregator="avg", readonly=True)
    response_measured = fields.Integer(string="Response Targets Due", readonly=True)
    response_met = fields.Integer(string="Responses Met", readonly=True)
    response_breached = fields.Integer(string="Responses Breached", readonly=True)
    resolution_measured = fields.Integer(string="Resolution Targets Due", readonly=True)
    resolution_met = fields.Integer(string="Resolutions Met", readonly=True)
    resolution_breached = fields.Integer(string="Resolutions Breached", readonly=True)
    response_compliance = fields.Float(
        string="Response SLA (%)",
        aggregator="avg",
        readonly=True,
        help="Responses met out of the response targets met or breached.",
    )
    resolution_compliance = fields.Float(
        string="Resolution SLA (%)",
        aggregator="avg",
        readonly=True,
        help="Resolutions met out of the resolution targets met or breached.",
    )
    backlog_age = fields.Float(
        string="Backlog Age (days)",
        aggregator="avg",
        readonly=True,
        help="Days since the call came in, for the tickets still open.",
    )
    solved = fields.Integer(readonly=True)
    first_time_fix = fields.Integer(string="First-Time Fixes", readonly=True)
    first_time_fix_rate = fields.Float(
        string="First-Time Fix (%)",
        aggregator="avg",
        readonly=True,
        help="Tickets solved with one finished intervention or none, out of the solved ones.",
    )
    repeat_call = fields.Integer(
        string="Repeat Calls",
        readonly=True,
        help="Calls on a serial that already called in the 30 days before.",
    )
    repeat_rate = fields.Float(string="Repeat Calls (%)", aggregator="avg", readonly=True)

    @api.model
    def _view_query(self):
        return SQL(
            """
            WITH t AS (
                SELECT t.*,
                       COALESCE(stage.is_closing AND NOT COALESCE(stage.is_cancelling, FALSE),
                                FALSE) AS is_solved,
                       COALESCE(stage.is_cancelling, FALSE) AS is_cancelled,
                       (now() AT TIME ZONE 'UTC') AS now_utc,
                       -- the serial's call before this one (one sort, no look-up per row)
                       CASE WHEN t.lot_id IS NOT NULL THEN
                           LAG(t.date_open) OVER (
                               PARTITION BY t.lot_id ORDER BY t.date_open, t.id)
                       END AS previous_call
                  FROM aftersales_ticket t
                  LEFT JOIN aftersales_ticket_stage stage ON stage.id = t.stage_id
            ), done AS (
                SELECT ticket_id, count(*) AS n
                  FROM aftersales_intervention
                 WHERE state = 'done' AND ticket_id IS NOT NULL
                 GROUP BY ticket_id
            )
            SELECT t.id AS id,
                   t.id AS ticket_id,
                   t.company_id, t.team_id, t.user_id,
                   t.commercial_partner_id AS partner_id,
                   t.product_id, t.lot_id, t.contract_id, t.stage_id,
                   t.priority, t.coverage_kind, t.sla_status,
                   t.date_open, t.date_closed,
                   COALESCE(t.is_closed, FALSE) AS is_closed,
                   1 AS nbr,
                   CASE WHEN t.is_closed THEN 0 ELSE 1 END AS open_count,
                   CASE WHEN t.is_cancelled THEN 1 ELSE 0 END AS cancelled,
                   CASE WHEN t.date_first_reply IS NOT NULL THEN t.sla_response_time END
                       AS response_time,
                   CASE WHEN t.date_closed IS NOT NULL AND NOT t.is_cancelled
                        THEN t.sla_resolution_time END AS resolution_time,
                   r.met AS response_met, r.breached AS response_breached,
                   r.met + r.breached AS response_measured,
                   s.met AS resolution_met, s.breached AS resolution_breached,
                   s.met + s.breached AS resolution_measured,
                   CASE WHEN r.met + r.breached > 0 THEN 100.0 * r.met END
                       AS response_compliance,
                   CASE WHEN s.met + s.breached > 0 THEN 100.0 * s.met END
                       AS resolution_compliance,
                   CASE WHEN NOT COALESCE(t.is_closed, FALSE)
                        THEN EXTRACT(EPOCH FROM t.now_utc - t.date_open) / 86400.0 END
                       AS backlog_age,
                   CASE WHEN t.is_solved THEN 1 ELSE 0 END AS solved,
                   CASE WHEN t.is_solved AND COALESCE(done.n, 0) <= 1 THEN 1 ELSE 0 END
                       AS first_time_fix,
                   CASE WHEN t.is_solved THEN
                       CASE WHEN COALESCE(done.n, 0) <= 1 THEN 100.0 ELSE 0.0 END END
                       AS first_time_fix_rate,
                   rep.hit AS repeat_call,
                   100.0 * rep.hit AS repeat_rate
              FROM t
              CROSS JOIN LATERAL (
                   SELECT
                     CASE WHEN t.date_first_reply <= t.sla_response_deadline THEN 1 ELSE 0 END
                         AS met,
                     CASE WHEN t.date_first_reply > t.sla_response_deadline
                            OR (t.date_first_reply IS NULL AND t.sla_response_deadline < t.now_utc
                                AND NOT t.is_cancelled)
                          THEN 1 ELSE 0 END AS breached
              ) r
              CROSS JOIN LATERAL (
                   SELECT
                     CASE WHEN t.date_closed <= t.sla_resolution_deadline AND t.is_solved
                          THEN 1 ELSE 0 END AS met,
                     CASE WHEN (t.date_closed > t.sla_resolution_deadline AND t.is_solved)
                            OR (t.date_closed IS NULL AND t.sla_resolution_deadline < t.now_utc
                                AND NOT t.is_cancelled)
                          THEN 1 ELSE 0 END AS breached
              ) s
              CROSS JOIN LATERAL (
                   SELECT CASE WHEN t.previous_call >= t.date_open - make_interval(days => %s)
                               THEN 1 ELSE 0 END AS hit
              ) rep
              LEFT JOIN done ON done.ticket_id = t.id
             WHERE t.active
            """,
            REPEAT_DAYS,
        )
