import bisect
from datetime import timedelta

from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

SLA_STATUSES = [
    ("none", "No SLA"),
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
RISK_SHARE = 0.8  # "at risk" once 80% of the working time is used, under 20% left
WINDOW_DAYS = 30


class AftersalesTicket(models.Model):
    """Service-level deadlines counted on the team's working calendar.

    The targets (working hours) come from the covering contract line, else from the
    team. The deadlines are planned from the time the call came in, on the calendar's
    attendances minus its public holidays and leaves. Time spent in a paused stage is
    measured in working hours too and pushes the deadlines by as much. The breach cron
    marks late tickets in a fixed number of queries.
    """

    _inherit = "aftersales.ticket"

    sla_response_hours = fields.Float(
        string="Response Target (h)",
        tracking=True,
        compute="_compute_sla_response_hours",
        store=True,
        readonly=False,
        precompute=True,
        help="Working hours to answer the customer.",
    )
    sla_resolution_hours = fields.Float(
        string="Resolution Target (h)",
        tracking=True,
        compute="_compute_sla_resolution_hours",
        store=True,
        readonly=False,
        precompute=True,
        help="Working hours to solve the call.",
    )
    sla_paused_hours = fields.Float(
        string="Paused (h)", readonly=True, copy=False, help="Working hours spent paused."
    )
    sla_paused_since = fields.Datetime(
        string="Paused Since", readonly=True, copy=False, index="btree_not_null"
    )
    sla_response_deadline = fields.Datetime(
        string="Respond By", compute="_compute_sla_deadlines", store=True, precompute=True
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolve By", compute="_compute_sla_deadlines", store=True, precompute=True
    )
    sla_response_risk_date = fields.Datetime(
        string="Response at Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        precompute=True,
    )
    sla_resolution_risk_date = fields.Datetime(
        string="Resolution at Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        precompute=True,
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA",
        compute="_compute_sla_status",
        store=True,
        precompute=True,
        index=True,
    )

    sla_deadline = fields.Datetime(
        string="Deadline",
        compute="_compute_sla_deadline",
        help="The deadline that matters now: the one breached, else the next one to meet.",
    )
    sla_deadline_kind = fields.Selection(
        [("response", "Respond by"), ("resolution", "Resolve by")],
        string="Deadline For",
        compute="_compute_sla_deadline",
    )
    sla_time_left = fields.Char(
        string="Time Left",
        compute="_compute_sla_deadline",
        help="Time left until the deadline, or how long ago it passed.",
    )
    sla_overdue = fields.Boolean(string="Overdue", compute="_compute_sla_deadline")

    _sla_targets_positive = models.Constraint(
        "CHECK (sla_response_hours >= 0 AND sla_resolution_hours >= 0)",
        "Service-level targets cannot be negative.",
    )
    _sla_open_index = models.Index(
        "(sla_status, sla_resolution_deadline) WHERE is_closed IS NOT TRUE"
    )

    # One compute per target: a target typed in at creation is kept, and the deadlines
    # are planned from it, while the other one is still computed. (A compute assigning
    # both would overwrite the typed one in the cache the deadlines are computed from.)
    @api.depends("contract_line_id", "coverage_kind", "team_id")
    def _compute_sla_response_hours(self):
        for ticket in self:
            ticket.sla_response_hours = ticket._sla_target_source().response_hours

    @api.depends("contract_line_id", "coverage_kind", "team_id")
    def _compute_sla_resolution_hours(self):
        for ticket in self:
            ticket.sla_resolution_hours = ticket._sla_target_source().resolution_hours

    def _sla_target_source(self):
        """The covering contract line, else the team: where the SLA targets come from."""
        self.ensure_one()
        line = self.contract_line_id
        return line if self.coverage_kind == "contract" and line else self.team_id

    def _sla_calendar(self):
        self.ensure_one()
        if self.team_id:
            return self.team_id.resource_calendar_id
        return self.company_id.resource_calendar_id

    @api.constrains("sla_response_hours", "sla_resolution_hours", "team_id")
    def _check_sla_calendar(self):
        for ticket in self:
            if (ticket.sla_response_hours or ticket.sla_resolution_hours) and not (
                ticket._sla_calendar()
            ):
                raise ValidationError(
                    self.env._(
                        "Team %(team)s has no working hours: set its calendar so that the "
                        "SLA deadlines of ticket %(ticket)s can be computed.",
                        team=ticket.team_id.name or "-",
                        ticket=ticket.name,
                    )
                )

    @api.depends(
        "date_open", "sla_response_hours", "sla_resolution_hours", "sla_paused_hours", "team_id"
    )
    def _compute_sla_deadlines(self):
        names = [
            ("sla_response_deadline", "sla_response_hours", 1.0),
            ("sla_response_risk_date", "sla_response_hours", RISK_SHARE),
            ("sla_resolution_deadline", "sla_resolution_hours", 1.0),
            ("sla_resolution_risk_date", "sla_resolution_hours", RISK_SHARE),
        ]
        for calendar, tickets in self.grouped(lambda t: t._sla_calendar()).items():
            requests = []
            for ticket in tickets:
                for _fname, target, share in names:
                    hours = ticket[target]
                    if hours and calendar and ticket.date_open:
                        requests.append((ticket.date_open, hours * share + ticket.sla_paused_hours))
            planned = iter(self._sla_plan(calendar, requests))
            for ticket in tickets:
                for fname, target, _share in names:
                    has_target = ticket[target] and calendar and ticket.date_open
                    ticket[fname] = next(planned) if has_target else False

    @api.model
    def _sla_work_intervals(self, calendar, start, end):
        """Sorted (start, stop) naive UTC work intervals of ``calendar`` in [start, end]."""
        intervals = calendar._work_intervals_batch(
            start.replace(tzinfo=utc), end.replace(tzinfo=utc)
        )[False]
        return [
            (a.astimezone(utc).replace(tzinfo=None), b.astimezone(utc).replace(tzinfo=None))
            for a, b, _meta in intervals
        ]

    @api.model
    def _sla_plan(self, calendar, requests):
        """Deadlines for ``requests`` [(start, working hours)], in one or two reads of the
        calendar for the whole batch rather than one per ticket."""
        if not requests:
            return []
        first = min(start for start, _hours in requests)
        horizon = max(start for start, _hours in requests)
        most = max(hours for _start, hours in requests)
        days = WINDOW_DAYS + int(most / 4)
        for _attempt in range(6):
            intervals = self._sla_work_intervals(calendar, first, horizon + timedelta(days=days))
            planned = [self._sla_walk(intervals, start, hours) for start, hours in requests]
            if all(planned):
                return planned
            days *= 4
        raise ValidationError(
            self.env._(
                "The working hours %(calendar)s leave no time to meet the SLA.",
                calendar=calendar.name,
            )
        )

    @api.model
    def _sla_walk(self, intervals, start, hours):
        stops = [stop for _start, stop in intervals]
        index = bisect.bisect_right(stops, start)
        remaining = timedelta(hours=hours)
        for begin, stop in intervals[index:]:
            begin = max(begin, start)
            if stop - begin >= remaining:
                return begin + remaining
            remaining -= stop - begin
        return False

    @api.model
    def _sla_hours_between(self, calendar, start, end):
        if not calendar or end <= start:
            return 0.0
        return sum(
            (min(stop, end) - max(begin, start)).total_seconds() / 3600.0
            for begin, stop in self._sla_work_intervals(calendar, start, end)
            if stop > start and begin < end
        )

    def _sla_resume(self, now):
        """Leaving a paused stage: the working hours spent there push the deadlines."""
        for ticket in self:
            paused = self._sla_hours_between(ticket._sla_calendar(), ticket.sla_paused_since, now)
            # sudo: the paused time is a system field, booked here only
            ticket.sudo().write(
                {
                    "sla_paused_hours": ticket.sla_paused_hours + paused,
                    "sla_paused_since": False,
                }
            )

    @api.depends(
        "sla_response_deadline",
        "sla_resolution_deadline",
        "date_first_reply",
        "date_closed",
        "sla_paused_since",
        "stage_id.is_cancelling",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_status = ticket._sla_status_at(ticket.sla_paused_since or now)

    def _sla_status_at(self, now):
        self.ensure_one()
        if self.stage_id.is_cancelling:
            return "none"
        targets = [
            (self.sla_response_deadline, self.sla_response_risk_date, self.date_first_reply),
            (self.sla_resolution_deadline, self.sla_resolution_risk_date, self.date_closed),
        ]
        targets = [target for target in targets if target[0]]
        if not targets:
            return "none"
        if any(done and done > deadline for deadline, _risk, done in targets):
            return "breached"
        pending = [(deadline, risk) for deadline, risk, done in targets if not done]
        if not pending:
            return "met"
        if any(deadline < now for deadline, _risk in pending):
            return "breached"
        if any(risk <= now for _deadline, risk in pending):
            return "at_risk"
        return "on_track"

    @api.depends(
        "sla_status",
        "sla_response_deadline",
        "sla_resolution_deadline",
        "date_first_reply",
        "date_closed",
    )
    def _compute_sla_deadline(self):
        now = fields.Datetime.now()
        for ticket in self:
            kind = ticket._sla_deadline_kind(now)
            deadline = ticket[f"sla_{kind}_deadline"] if kind else False
            ticket.sla_deadline_kind = kind
            ticket.sla_deadline = deadline
            ticket.sla_overdue = bool(deadline and deadline < now)
            ticket.sla_time_left = ticket._sla_format_time_left(deadline, now) if kind else False

    def _sla_deadline_kind(self, now):
        """Which deadline to show: the one breached on a breached ticket; otherwise the
        response deadline until the first reply, then the resolution one; none once
        closed (met or not, the status says it)."""
        self.ensure_one()
        response, resolution = self.sla_response_deadline, self.sla_resolution_deadline
        reply = self.date_first_reply
        if self.sla_status == "breached":
            late_reply = reply and response and reply > response
            no_reply = not reply and response and response < now
            if late_reply or no_reply:
                return "response"
            return "resolution" if resolution else False
        if self.is_closed or self.sla_status in ("none", "met"):
            return False
        if response and not reply:
            return "response"
        return "resolution" if resolution else False

    def _sla_format_time_left(self, deadline, now):
        minutes = round(abs((deadline - now).total_seconds()) / 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        if days and hours:
            span = self.env._("%(days)s d %(hours)s h", days=days, hours=hours)
        elif days:
            span = self.env._("%(days)s d", days=days)
        elif hours and minutes:
            span = self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
        elif hours:
            span = self.env._("%(hours)s h", hours=hours)
        else:
            span = self.env._("%(minutes)s min", minutes=minutes)
        if deadline < now:
            return self.env._("overdue by %(span)s", span=span)
        return self.env._("%(span)s left", span=span)

    # ------------------------------------------------------------------
    # Breach cron
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # A call recorded late (an import, an e-mail read after a downtime) may be
        # breached from the start: the cron only sees tickets that become breached, so
        # the team leader hears of these ones here.
        tickets.filtered(
            lambda ticket: ticket.sla_status == "breached" and not ticket.is_closed
        )._schedule_breach_activities()
        return tickets

    @api.model
    def _cron_sla_check(self):
        """Move running tickets to at risk or breached, in set-based SQL, and give each
        team leader one to-do for the team's newly breached tickets: a fixed number of
        queries whatever the number of tickets."""
        now = fields.Datetime.now()
        self.flush_model(
            [
                "sla_status",
                "sla_response_deadline",
                "sla_resolution_deadline",
                "sla_response_risk_date",
                "sla_resolution_risk_date",
                "date_first_reply",
                "is_closed",
                "sla_paused_since",
            ]
        )
        running = SQL(
            "is_closed IS NOT TRUE AND active AND sla_paused_since IS NULL"
            " AND sla_status IN ('on_track', 'at_risk')"
        )
        breached_ids = self._sla_update_status(
            "breached",
            SQL(
                "%s AND (sla_resolution_deadline < %s OR"
                " (date_first_reply IS NULL AND sla_response_deadline < %s))",
                running,
                now,
                now,
            ),
        )
        self._sla_update_status(
            "at_risk",
            SQL(
                "%s AND sla_status = 'on_track' AND (sla_resolution_risk_date <= %s OR"
                " (date_first_reply IS NULL AND sla_response_risk_date <= %s))",
                running,
                now,
                now,
            ),
        )
        self.browse(breached_ids)._schedule_breach_activities()
        return True

    @api.model
    def _sla_update_status(self, status, condition):
        self.env.cr.execute(
            SQL(
                "UPDATE aftersales_ticket SET sla_status = %s, write_date = %s,"
                " write_uid = %s WHERE %s RETURNING id",
                status,
                fields.Datetime.now(),
                self.env.uid,
                condition,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["sla_status", "write_date", "write_uid"])
        return ids

    def _schedule_breach_activities(self):
        """One open to-do per team leader for the team's breached tickets: the tickets
        that just breached update the leader's open *SLA Breach* to-do of the team (its
        summary gives the number of open breached tickets) or create it, in a fixed
        number of queries whatever the number of tickets."""
        teams = self.filtered(lambda t: t.team_id.leader_id).team_id
        if not teams:
            return
        # sudo: the breach is reported to the leader whoever (cron, mail gateway, a
        # technician logging a late call) noticed it
        Ticket = self.env["aftersales.ticket"].sudo()
        counts = dict(
            Ticket._read_group(
                [
                    ("team_id", "in", teams.ids),
                    ("sla_status", "=", "breached"),
                    ("is_closed", "=", False),
                ],
                ["team_id"],
                ["__count"],
            )
        )
        activity_type = self.env.ref(
            "aftersales.mail_activity_type_sla_breach", raise_if_not_found=False
        ) or self.env.ref("mail.mail_activity_data_todo")
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        open_todos = Activity.search(
            [
                ("res_model", "=", "aftersales.team"),
                ("res_id", "in", teams.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        todo_by_team = {(a.res_id, a.user_id.id): a for a in open_todos}
        to_create = []
        for team in teams:
            count = counts.get(team, 0) or 1
            # in the leader's language: the texts are stored as written
            summary = team.with_context(lang=team.leader_id.lang).env._(
                "SLA breached on %(count)s ticket(s)", count=count
            )
            todo = todo_by_team.get((team.id, team.leader_id.id))
            if todo:
                todo.summary = summary
            else:
                to_create.append(team._prepare_breach_activity_vals(activity_type, summary))
        Activity.create(to_create)
