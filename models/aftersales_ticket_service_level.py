import bisect
from itertools import accumulate

from odoo import api, fields, models


class AftersalesTicket(models.Model):
    """Response and resolution times in working hours, as the SLA counts them.

    They are stored when the ticket moves (the first reply, the closing, the end of a
    pause) with the SLA's own calendar code (``_sla_work_intervals`` on the team's
    calendar, its leaves and public holidays), so that the service-level report sums
    and averages stored columns instead of walking calendars for every row.

    The resolution time leaves out the working hours spent in paused stages, as the
    deadlines do; the response time leaves out the pauses booked before the reply. A
    ticket cancelled (a duplicate, a mistake) was not resolved: it has no resolution
    time.
    """

    _inherit = "aftersales.ticket"

    sla_response_time = fields.Float(
        string="Response Time (h)",
        compute="_compute_sla_response_time",
        store=True,
        copy=False,
        help="Working hours from the call to the first reply, on the team's calendar, "
        "less the working hours paused before the reply.",
    )
    sla_resolution_time = fields.Float(
        string="Resolution Time (h)",
        compute="_compute_sla_resolution_time",
        store=True,
        copy=False,
        help="Working hours from the call to the closing, on the team's calendar, less "
        "the working hours spent in paused stages. None for a cancelled ticket.",
    )

    # The paused hours are read, not a dependency: the response time is set at the
    # first reply, and a pause booked later does not change it.
    @api.depends("date_open", "date_first_reply", "team_id")
    def _compute_sla_response_time(self):
        self._sla_store_time("sla_response_time", "date_first_reply")

    @api.depends(
        "date_open", "date_closed", "sla_paused_hours", "team_id", "stage_id.is_cancelling"
    )
    def _compute_sla_resolution_time(self):
        cancelled = self.filtered("stage_id.is_cancelling")
        cancelled.sla_resolution_time = 0.0
        (self - cancelled)._sla_store_time("sla_resolution_time", "date_closed")

    def _sla_store_time(self, fname, end_field):
        # The upgrade of existing tickets knows the total pause, not when it happened:
        # a ticket is paused mostly while waiting for the customer, after the first
        # reply, so the upgrade counts the pause against the resolution only.
        skip_pause = fname == "sla_response_time" and self.env.context.get(
            "aftersales_sla_times_upgrade"
        )
        for calendar, tickets in self.grouped(lambda t: t._sla_calendar()).items():
            spans = [(ticket.date_open, ticket[end_field]) for ticket in tickets]
            worked = self._sla_hours_between_batch(calendar, spans)
            for ticket, hours in zip(tickets, worked, strict=True):
                paused = 0.0 if skip_pause else ticket.sla_paused_hours
                ticket[fname] = round(max(hours - paused, 0.0), 6) if ticket[end_field] else 0.0

    def _sla_resume(self, now):
        # the response time of a reply given before this pause ends is computed with
        # the pauses booked so far, before the one ending now is added
        self._recompute_recordset(["sla_response_time"])
        return super()._sla_resume(now)

    @api.model
    def _sla_hours_between_batch(self, calendar, spans):
        """Working hours of ``calendar`` in each (start, end) of ``spans`` (0 when a
        bound is missing), from one read of the calendar for the whole batch."""
        valid = [(start, end) for start, end in spans if start and end and end > start]
        if not calendar or not valid:
            return [0.0] * len(spans)
        first = min(start for start, _end in valid)
        last = max(end for _start, end in valid)
        intervals = self._sla_work_intervals(calendar, first, last)
        starts = [begin for begin, _stop in intervals]
        # worked seconds before each interval begins
        before = [0.0, *accumulate((stop - begin).total_seconds() for begin, stop in intervals)]

        def worked_until(moment):
            index = bisect.bisect_right(starts, moment) - 1
            if index < 0:
                return 0.0
            begin, stop = intervals[index]
            return before[index] + (min(moment, stop) - begin).total_seconds()

        return [
            (worked_until(end) - worked_until(start)) / 3600.0
            if start and end and end > start
            else 0.0
            for start, end in spans
        ]

    @api.model
    def _sla_store_times(self, batch_size=5000):
        """Compute the stored working-hour times of every answered or closed ticket, in
        batches (the upgrade to 19.0.1.2.0 calls it for the tickets that existed)."""
        Ticket = self.with_context(aftersales_sla_times_upgrade=True, active_test=False)
        tickets = Ticket.search(
            ["|", ("date_first_reply", "!=", False), ("date_closed", "!=", False)], order="id"
        )
        fnames = ["sla_response_time", "sla_resolution_time"]
        for start in range(0, len(tickets), batch_size):
            batch = tickets[start : start + batch_size]
            for fname in fnames:
                self.env.add_to_compute(self._fields[fname], batch)
            batch.flush_recordset(fnames)
            self.env.invalidate_all()
        return len(tickets)
