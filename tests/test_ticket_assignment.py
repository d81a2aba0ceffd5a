from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketAssignment(AftersalesHelpdeskCase):
    """The technician with the fewest open tickets gets the call and a to-do; the customer
    gets a receipt and stage messages, each switchable per team."""

    def _mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_least_loaded_member_gets_the_ticket(self):
        self._create_ticket(user_id=self.user_technician.id)
        self._create_ticket(user_id=self.user_technician.id)
        closed = self._create_ticket(user_id=self.user_technician_2.id)
        for _ in range(2):
            self._create_ticket(user_id=self.user_technician_2.id)
        closed.stage_id = self.stage_solved
        # technician: 2 open, technician 2: 2 open + 1 closed -> tie, lowest id wins.
        first = self._create_ticket()
        self.assertEqual(first.user_id, self.user_technician)
        batch = self.env["aftersales.ticket"].create(
            [{"subject": f"Call {i}", "partner_id": self.customer.id} for i in range(3)]
        )
        # technician 3 open, technician 2 two: the batch spreads the load as it goes.
        self.assertEqual(
            [t.user_id for t in batch],
            [self.user_technician_2, self.user_technician, self.user_technician_2],
        )

    def test_team_change_reassigns_within_the_new_team(self):
        ticket = self._create_ticket()
        self.assertIn(ticket.user_id, self.team.member_ids)
        ticket.team_id = self.team_other
        self.assertEqual(ticket.user_id, self.user_technician_other)
        self.assertIn(self.user_technician_other, ticket.activity_ids.user_id)

    def test_technician_gets_an_activity(self):
        ticket = self._create_ticket()
        todo = ticket.activity_ids.filtered(lambda a: a.user_id == ticket.user_id)
        self.assertEqual(len(todo), 1)
        self.assertIn(ticket.name, todo.summary)
        ticket.user_id = (
            self.user_technician_2
            if ticket.user_id != self.user_technician_2
            else (self.user_technician)
        )
        self.assertEqual(len(ticket.activity_ids), 2, "the new technician gets one too")
        self.team.notify_technician = False
        self.assertFalse(self._create_ticket().activity_ids)

    def test_receipt_on_creation_switchable(self):
        self.team.notify_receipt = True
        ticket = self._create_ticket(contact_id=self.customer_contact.id)
        receipt = ticket.message_ids.filtered(lambda m: ticket.name in (m.subject or ""))
        self.assertEqual(len(receipt), 1)
        self.assertIn("we have received your request", receipt.body)
        self.assertEqual(receipt.partner_ids, self.customer_contact)
        self.assertFalse(ticket.date_first_reply, "an automatic receipt is not a reply")
        self.team.notify_receipt = False
        quiet = self._create_ticket(contact_id=self.customer_contact.id)
        self.assertFalse(quiet.message_ids.filtered(lambda m: quiet.name in (m.subject or "")))

    def _tracked_ticket(self):
        return (
            self.env["aftersales.ticket"]
            .with_context(tracking_disable=False)
            .create(
                {
                    "subject": "Steam wand blocked",
                    "partner_id": self.customer.id,
                    "contact_id": self.customer_contact.id,
                }
            )
        )

    def _solve(self, ticket):
        self.env.flush_all()
        self.env.cr.flush()  # ends the creation's tracking
        ticket.with_context(tracking_disable=False).stage_id = self.stage_solved
        self.env.flush_all()
        self.env.cr.flush()  # stage templates are sent with the tracking, at commit time
        ticket.invalidate_recordset(["message_ids"])

    def test_stage_template_mail_switchable(self):
        ticket = self._tracked_ticket()
        self._solve(ticket)
        solved = ticket.message_ids.filtered(lambda m: "solved" in (m.subject or ""))
        self.assertEqual(len(solved), 1)
        self.assertEqual(solved.partner_ids, self.customer_contact)
        self.team.notify_stage = False
        quiet = self._tracked_ticket()
        self._solve(quiet)
        self.assertFalse(quiet.message_ids.filtered(lambda m: "solved" in (m.subject or "")))

    def test_team_defaults(self):
        team = self.env["aftersales.team"].create({"name": "New team"})
        self.assertEqual(team.resource_calendar_id, self.company.resource_calendar_id)
        self.assertIn(self.stage_new, team.stage_ids)
        self.assertIn(self.stage_waiting, team.stage_ids)
        team.member_ids = [Command.link(self.user_technician.id)]
        self.assertEqual(team.open_ticket_count, 0)
