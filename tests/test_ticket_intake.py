from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesHelpdeskCase

MAIL = """From: {email_from}
To: {to}
Subject: {subject}
Message-ID: {msg_id}
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketIntake(AftersalesHelpdeskCase):
    """Tickets from the web client, e-mail (alias, replies, unknown senders) and the API
    all go through ``create`` and get the same coverage, SLA and technician."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "desk.example"})
        cls.company.alias_domain_id = cls.alias_domain
        cls.team.write({"alias_name": "north", "alias_domain_id": cls.alias_domain.id})

    def _receive(self, subject, email_from, body="Please come.", msg_id=None, extra=""):
        mail = MAIL.format(
            email_from=email_from,
            to="north@desk.example",
            subject=subject,
            msg_id=msg_id or f"<{subject.replace(' ', '-')}@customer.example>",
            extra=extra,
            body=body,
        )
        return self.env["mail.thread"].sudo().message_process(None, mail)

    def test_alias_targets_tickets_of_the_team(self):
        self.assertEqual(self.team.alias_id.alias_model_id.model, "aftersales.ticket")
        self.assertEqual(self.team.alias_email, "north@desk.example")

    def test_mail_from_known_contact_with_serial_in_subject(self):
        self._receive("Leak on AUR-0001 since this morning", "giulia@barcentrale.example")
        ticket = self.env["aftersales.ticket"].search([("channel", "=", "email")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.contact_id, self.customer_contact)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.lot_id, self.lot, "the quoted serial is recognised")
        self.assertEqual(ticket.coverage_kind, "warranty")
        self.assertTrue(ticket.sla_response_deadline)
        self.assertIn(ticket.user_id, self.team.member_ids)
        self.assertTrue(ticket.name.startswith("TK/"))
        self.assertIn("Please come.", ticket.description)

    def test_serial_in_body_of_another_customer_is_ignored(self):
        self._receive("Broken", "giulia@barcentrale.example", body="Serial AUR-0999 broken")
        ticket = self.env["aftersales.ticket"].search([("channel", "=", "email")])
        self.assertFalse(ticket.lot_id)
        self._receive("Broken again", "giulia@barcentrale.example", body="It is AUR-0001.")
        ticket = self.env["aftersales.ticket"].search([("subject", "=", "Broken again")])
        self.assertEqual(ticket.lot_id, self.lot)

    def test_reply_threads_back_into_the_ticket(self):
        self._receive("Grinder jammed", "giulia@barcentrale.example", msg_id="<first@cust>")
        ticket = self.env["aftersales.ticket"].search([("channel", "=", "email")])
        count = len(ticket.message_ids)
        self._receive(
            "Re: Grinder jammed",
            "giulia@barcentrale.example",
            body="Here is a photo.",
            msg_id="<second@cust>",
            extra="In-Reply-To: <first@cust>\nReferences: <first@cust>\n",
        )
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), 1)
        self.assertEqual(len(ticket.message_ids), count + 1)
        self.assertIn("Here is a photo.", ticket.message_ids[0].body)

    def test_unknown_sender_gets_a_new_contact(self):
        self._receive("Help", "Mario Nuovo <mario@nuovo.example>")
        ticket = self.env["aftersales.ticket"].search([("channel", "=", "email")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.contact_id.email, "mario@nuovo.example")
        self.assertEqual(ticket.partner_id, ticket.contact_id.commercial_partner_id)
        self.assertEqual(ticket.coverage_kind, "billable")

    def test_unknown_sender_rejected_but_kept_on_the_team(self):
        self.team.unknown_sender = "reject"
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self._receive("Offer", "spam@unknown.example", body="Cheap stuff")
        self.assertFalse(self.env["aftersales.ticket"].search([]))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "spam@unknown.example")]))
        self.team.invalidate_recordset(["message_ids"])
        kept = self.team.message_ids.filtered(lambda m: "Cheap stuff" in (m.body or ""))
        self.assertEqual(len(kept), 1, "the e-mail is kept on the team, not lost")
        answer = self.env["mail.mail"].search([("email_to", "=", "spam@unknown.example")])
        self.assertEqual(len(answer), 1)
        self.assertIn("no ticket was opened", answer.body_html)
        # A known sender still opens a ticket on that team.
        self._receive("Real call", "giulia@barcentrale.example")
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), 1)

    def test_api_batch_uses_the_same_path(self):
        tickets = self.env["aftersales.ticket"].create(
            [
                {"subject": "By phone", "partner_id": self.customer.id, "channel": "phone"},
                {"subject": "By API", "partner_id": self.customer.id, "lot_id": self.lot.id},
            ]
        )
        self.assertEqual(tickets.mapped("coverage_kind"), ["billable", "warranty"])
        self.assertEqual(tickets.team_id, self.team, "the default team of the company")
        self.assertEqual(len(set(tickets.mapped("name"))), 2)
        self.assertTrue(all(tickets.mapped("stage_id")))
        self.assertEqual(tickets.mapped("stage_id"), self.stage_new)
