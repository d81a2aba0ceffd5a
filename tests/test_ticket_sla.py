from datetime import datetime

from odoo.tests import freeze_time, tagged, users

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketSla(AftersalesHelpdeskCase):
    """Deadlines on the team's working hours (8-12, 13-17 UTC, Monday to Friday)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            lines=[cls._covered_line(lot=cls.lot, response_hours=4.0, resolution_hours=16.0)]
        )
        # Monday 9 March 2026 is a public holiday of the team's calendar.
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 3, 9, 0, 0),
                "date_to": datetime(2026, 3, 9, 23, 59, 59),
            }
        )

    def _reply(self, ticket, user):
        ticket.with_user(user).message_post(
            body="We are on it.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def test_deadlines_skip_night_weekend_and_public_holiday(self):
        with freeze_time("2026-03-06 15:00:00"):  # a Friday, two working hours left
            ticket = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.coverage_kind, "contract")
        # 2 h on Friday, Saturday, Sunday and the Monday holiday skipped, 2 h on Tuesday.
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 10, 10, 0))
        # 2 h Friday + 8 h Tuesday + 6 h Wednesday.
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 11, 15, 0))
        self.assertEqual(ticket.sla_status, "on_track")

    def test_pause_over_weekend_and_holiday_counts_only_working_hours(self):
        with freeze_time("2026-03-06 15:00:00"):  # Friday
            ticket = self._create_ticket(lot_id=self.lot.id)
        with freeze_time("2026-03-06 16:00:00"):
            ticket.stage_id = self.stage_waiting
        with freeze_time("2026-03-10 09:00:00"):  # Tuesday, after the Monday holiday
            ticket.stage_id = self.stage_progress
        # Paused Friday 16-17 and Tuesday 8-9: two working hours, not four days.
        self.assertEqual(ticket.sla_paused_hours, 2.0)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 10, 12, 0))
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 11, 17, 0))

    def test_pause_extends_deadlines_reply_and_closing_meet_them(self):
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            ticket = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 2, 14, 0))
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 4, 9, 0))
        with freeze_time("2026-03-02 10:00:00"):
            self._reply(ticket, self.user_technician)
        self.assertEqual(ticket.date_first_reply, datetime(2026, 3, 2, 10, 0))
        with freeze_time("2026-03-02 11:00:00"):
            ticket.stage_id = self.stage_waiting
        self.assertEqual(ticket.sla_paused_since, datetime(2026, 3, 2, 11, 0))
        with freeze_time("2026-03-04 10:00:00"):
            # Past the original deadline, but the clock is stopped: no breach.
            self.env["aftersales.ticket"]._cron_sla_check()
            self.assertEqual(ticket.sla_status, "on_track")
        with freeze_time("2026-03-03 11:00:00"):
            ticket.stage_id = self.stage_progress
        # Paused 1 h + 4 h on Monday, 3 h on Tuesday: 8 working hours.
        self.assertEqual(ticket.sla_paused_hours, 8.0)
        self.assertFalse(ticket.sla_paused_since)
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 5, 9, 0))
        with freeze_time("2026-03-05 08:30:00"):
            ticket.stage_id = self.stage_solved
        self.assertEqual(ticket.date_closed, datetime(2026, 3, 5, 8, 30))
        self.assertEqual(ticket.sla_status, "met")

    def test_customer_message_is_not_a_reply(self):
        with freeze_time("2026-03-02 09:00:00"):
            ticket = self._create_ticket(lot_id=self.lot.id)
            ticket.message_post(
                body="Any news?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=self.customer_contact.id,
            )
            ticket.message_post(body="Internal: spare part ordered", subtype_xmlid="mail.mt_note")
        self.assertFalse(ticket.date_first_reply)

    def test_cron_marks_at_risk_then_breached_and_warns_the_leader(self):
        with freeze_time("2026-03-02 09:00:00"):
            ticket = self._create_ticket(lot_id=self.lot.id)
        with freeze_time("2026-03-02 12:30:00"):  # 3 of 4 hours used: 25% left
            self.env["aftersales.ticket"]._cron_sla_check()
            self.assertEqual(ticket.sla_status, "on_track")
        with freeze_time("2026-03-02 13:30:00"):  # 3.5 of 4 hours used
            self.env["aftersales.ticket"]._cron_sla_check()
            self.assertEqual(ticket.sla_status, "at_risk")
        self.assertFalse(self.team.activity_ids)
        with freeze_time("2026-03-02 14:30:00"):
            self._run_cron("aftersales.ir_cron_aftersales_ticket_sla")
            self.assertEqual(ticket.sla_status, "breached")
        self.assertEqual(self.team.breached_ticket_count, 1)
        leader_activity = self.team.activity_ids
        self.assertEqual(leader_activity.user_id, self.user_manager)
        self.assertEqual(leader_activity.summary, "SLA breached on 1 ticket(s)")
        with freeze_time("2026-03-02 15:30:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
        self.assertEqual(len(self.team.activity_ids), 1, "a breach is reported once")

    def test_ticket_recorded_already_breached_warns_the_leader(self):
        with freeze_time("2026-03-03 16:00:00"):
            late = self._create_ticket(lot_id=self.lot.id, date_open=datetime(2026, 3, 2, 9, 0))
            on_time = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(late.sla_status, "breached")
        self.assertEqual(on_time.sla_status, "on_track")
        self.assertEqual(self.team.activity_ids.summary, "SLA breached on 1 ticket(s)")
        self.assertEqual(self.team.activity_ids.user_id, self.user_manager)

    @users("as_technician")
    def test_technician_logs_a_call_already_late(self):
        """A bare technician types in yesterday's call: the leader's to-do on the team,
        which the technician may not edit, is the system's doing."""
        with freeze_time("2026-03-03 16:00:00"):
            late = self.env["aftersales.ticket"].create(
                {
                    "subject": "Machine down since yesterday",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "lot_id": self.lot.id,
                    "date_open": datetime(2026, 3, 2, 9, 0),
                }
            )
        self.assertEqual(late.create_uid, self.user_technician)
        self.env.invalidate_all()
        self.assertEqual(late.sla_status, "breached")
        activity = self.team.sudo().activity_ids
        self.assertEqual(activity.summary, "SLA breached on 1 ticket(s)")
        self.assertEqual(activity.user_id, self.user_manager)

    def test_cancelled_ticket_counts_neither_met_nor_breached(self):
        with freeze_time("2026-03-02 09:00:00"):
            ticket = self._create_ticket(lot_id=self.lot.id)
        with freeze_time("2026-03-02 09:30:00"):
            ticket.stage_id = self.env.ref("aftersales.stage_cancelled")
        self.assertTrue(ticket.is_closed)
        self.assertEqual(ticket.sla_status, "none")
        with freeze_time("2026-03-05 09:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_status, "none")

    def test_late_reply_or_closing_is_breached(self):
        with freeze_time("2026-03-02 09:00:00"):
            ticket = self._create_ticket(lot_id=self.lot.id)
        with freeze_time("2026-03-02 15:00:00"):
            self._reply(ticket, self.user_technician)
        self.assertEqual(ticket.sla_status, "breached")

    def test_no_target_no_sla(self):
        self.team.write({"response_hours": 0.0, "resolution_hours": 0.0})
        ticket = self._create_ticket()
        self.assertEqual(ticket.coverage_kind, "billable")
        self.assertFalse(ticket.sla_resolution_deadline)
        self.assertEqual(ticket.sla_status, "none")

    def _open_overdue_tickets(self, count):
        with freeze_time("2026-03-02 09:00:00"):
            return self.env["aftersales.ticket"].create(
                [
                    {"subject": f"Call {i}", "partner_id": self.customer.id, "lot_id": self.lot.id}
                    for i in range(count)
                ]
            )

    def test_breach_cron_runs_in_a_fixed_number_of_queries(self):
        # a first breach gives the leader the to-do that the next ones update
        self._open_overdue_tickets(1)
        with freeze_time("2026-03-02 16:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
        small = self._open_overdue_tickets(3)
        with freeze_time("2026-03-02 16:00:00"):
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            self.env["aftersales.ticket"]._cron_sla_check()
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - queries
        self.assertEqual(set(small.mapped("sla_status")), {"breached"})
        large = self._open_overdue_tickets(30)
        with freeze_time("2026-03-02 16:00:00"), self.assertQueryCount(queries):
            self.env["aftersales.ticket"]._cron_sla_check()
            self.env.flush_all()
        self.assertEqual(set(large.mapped("sla_status")), {"breached"})
        self.assertEqual(self.team.activity_ids.mapped("summary"), ["SLA breached on 34 ticket(s)"])
