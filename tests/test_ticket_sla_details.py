from datetime import datetime

from odoo.tests import Form, freeze_time, tagged

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketSlaDetails(AftersalesHelpdeskCase):
    """SLA details: typed targets, leader to-dos, the receipt's author."""

    def test_typed_targets_drive_the_deadlines(self):
        # The team's targets are 16 h and 40 h; the call is typed in with 4 h and 8 h.
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            ticket = self._create_ticket(sla_response_hours=4.0, sla_resolution_hours=8.0)
        self.assertEqual((ticket.sla_response_hours, ticket.sla_resolution_hours), (4.0, 8.0))
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 2, 14, 0))
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 3, 9, 0))
        # the same through the form, as a technician types it
        with freeze_time("2026-03-02 09:00:00"):
            form = Form(self.env["aftersales.ticket"].with_user(self.user_technician))
            form.subject = "Typed"
            form.partner_id = self.customer
            form.team_id = self.team
            form.sla_response_hours = 4.0
            ticket = form.save()
        self.assertEqual(ticket.sla_response_hours, 4.0)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 2, 14, 0))
        # left empty, the team's target applies
        with freeze_time("2026-03-02 09:00:00"):
            ticket = self._create_ticket()
        self.assertEqual(ticket.sla_response_hours, 16.0)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 4, 9, 0))

    def test_typed_targets_win_over_the_covering_line(self):
        self._create_contract(
            lines=[self._covered_line(lot=self.lot, response_hours=16.0, resolution_hours=40.0)]
        )
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            ticket = self._create_ticket(
                lot_id=self.lot.id, sla_response_hours=4.0, sla_resolution_hours=8.0
            )
            form = Form(self.env["aftersales.ticket"].with_user(self.user_technician))
            form.subject = "Typed"
            form.partner_id = self.customer
            form.team_id = self.team
            form.lot_id = self.lot
            form.sla_response_hours = 4.0
            form.sla_resolution_hours = 8.0
            typed = form.save()
        for record in (ticket, typed):
            self.assertEqual(record.coverage_kind, "contract")
            self.assertEqual((record.sla_response_hours, record.sla_resolution_hours), (4.0, 8.0))
            self.assertEqual(record.sla_response_deadline, datetime(2026, 3, 2, 14, 0))
            self.assertEqual(record.sla_resolution_deadline, datetime(2026, 3, 3, 9, 0))

    def test_one_typed_target_drives_its_deadline(self):
        # the automatic targets would be 16 h and 40 h (the team's)
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            resolution = self._create_ticket(sla_resolution_hours=4.0)
            response = self._create_ticket(sla_response_hours=4.0)
        self.assertEqual(
            (resolution.sla_response_hours, resolution.sla_resolution_hours), (16.0, 4.0)
        )
        self.assertEqual(resolution.sla_resolution_deadline, datetime(2026, 3, 2, 14, 0))
        self.assertEqual(resolution.sla_response_deadline, datetime(2026, 3, 4, 9, 0))
        self.assertEqual((response.sla_response_hours, response.sla_resolution_hours), (4.0, 40.0))
        self.assertEqual(response.sla_response_deadline, datetime(2026, 3, 2, 14, 0))

    def _shown(self, ticket):
        ticket.invalidate_recordset()
        return ticket.sla_deadline_kind, ticket.sla_deadline, ticket.sla_time_left

    def test_cards_and_lists_show_the_deadline_that_matters(self):
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            silent = self._create_ticket(sla_response_hours=4.0, sla_resolution_hours=8.0)
            answered = self._create_ticket(sla_response_hours=4.0, sla_resolution_hours=8.0)
        respond_by, resolve_by = datetime(2026, 3, 2, 14, 0), datetime(2026, 3, 3, 9, 0)
        with freeze_time("2026-03-02 10:00:00"):
            self.assertEqual(self._shown(silent), ("response", respond_by, "4 h left"))
            answered.with_user(self.user_technician).message_post(
                body="On our way.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time("2026-03-02 11:30:00"):
            # tomorrow's deadline, with its time, and the time left
            self.assertEqual(self._shown(answered), ("resolution", resolve_by, "21 h 30 min left"))
        with freeze_time("2026-03-02 15:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
            self.assertEqual(silent.sla_status, "breached")
            # the breached deadline, not the resolution one still ahead
            self.assertEqual(self._shown(silent), ("response", respond_by, "overdue by 1 h"))
        with freeze_time("2026-03-04 10:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
            self.assertEqual(answered.sla_status, "breached")
            self.assertEqual(
                self._shown(answered), ("resolution", resolve_by, "overdue by 1 d 1 h")
            )
        # the card and the list show these, not a relative "next month"
        views = self.env["aftersales.ticket"].get_views([(False, "list"), (False, "kanban")])
        for view_type in ("list", "kanban"):
            arch = views["views"][view_type]["arch"]
            self.assertNotIn("remaining_days", arch, view_type)
            for fname in ("sla_deadline", "sla_deadline_kind", "sla_time_left"):
                self.assertIn(f'name="{fname}"', arch, view_type)

    def test_the_leader_gets_one_breach_todo_per_team(self):
        with freeze_time("2026-03-02 09:00:00"):
            first = self._create_ticket(sla_response_hours=4.0)
        with freeze_time("2026-03-02 15:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
            second = self._create_ticket(
                sla_response_hours=4.0, date_open=datetime(2026, 3, 2, 9, 0)
            )
        with freeze_time("2026-03-03 15:00:00"):
            third = self._create_ticket(sla_response_hours=4.0)
            self.env["aftersales.ticket"]._cron_sla_check()
        with freeze_time("2026-03-04 15:00:00"):
            self.env["aftersales.ticket"]._cron_sla_check()
        self.assertEqual((first | second | third).mapped("sla_status"), ["breached"] * 3)
        todo = self.team.activity_ids
        self.assertEqual(len(todo), 1, "one to-do, kept up to date")
        self.assertEqual(todo.user_id, self.user_manager)
        self.assertEqual(todo.summary, "SLA breached on 3 ticket(s)")
        self.assertNotIn("3 tickets", todo.note, "the note does not repeat the summary")
        # once the leader has dealt with it, the next breach is a new to-do
        todo.action_done()
        with freeze_time("2026-03-04 16:00:00"):
            self._create_ticket(sla_response_hours=4.0, date_open=datetime(2026, 3, 4, 9, 0))
        self.assertEqual(self.team.activity_ids.summary, "SLA breached on 4 ticket(s)")

    def test_receipt_of_a_portal_ticket_comes_from_the_company(self):
        self.team.notify_receipt = True
        self.team.member_ids = False  # no to-do noise: only the receipt matters here
        self.company.email = False  # the template would fall back on the sender's address
        Ticket = self.env["aftersales.ticket"].with_user(self.user_portal)
        ticket = Ticket.with_context(default_team_id=self.team.id)._portal_create_ticket(
            "Grinder jammed", "It stopped this morning."
        )
        receipt = ticket.message_ids.filtered(lambda m: ticket.name in (m.subject or ""))
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.author_id, self.company.partner_id)
        self.assertNotIn("giulia", receipt.email_from or "")
        self.assertEqual(receipt.partner_ids, self.customer_contact)
