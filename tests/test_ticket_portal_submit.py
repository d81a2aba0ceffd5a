import re
from datetime import datetime

from odoo.tests import HttpCase, tagged

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketPortalSubmit(AftersalesHelpdeskCase, HttpCase):
    """Sending a request from the portal: a confirmation with the number and what comes
    next; a subject of bounded length; text the database cannot store refused with a
    clear 400 that uses up no ticket number."""

    def _csrf(self, url="/my/tickets/new"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _send(self, **data):
        values = {"csrf_token": self._csrf(), "description": "It leaks", **data}
        return self.url_open("/my/tickets/new", data=values, allow_redirects=False)

    def _sequence_next(self):
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "aftersales.ticket"), ("company_id", "in", (self.company.id, False))],
            limit=1,
        )
        sequence.invalidate_recordset(["number_next_actual"])
        return sequence.number_next_actual

    def test_confirmation_with_number_and_next_steps(self):
        self.authenticate("as_portal", "as_portal")
        response = self._send(subject="Steam wand leaks", lot_id=str(self.lot.id))
        self.assertEqual(response.status_code, 303)
        ticket = self.env["aftersales.ticket"].search([("subject", "=", "Steam wand leaks")])
        self.assertIn("submitted=1", response.headers["Location"])
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"we have received your request {ticket.name}", page.text)
        self.assertIn("We will answer by", page.text)
        self.assertIn("Follow your request on this page", page.text)
        # a later visit shows the ticket without the confirmation
        again = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertNotIn("we have received your request", again.text)

    def test_subject_length_is_bounded(self):
        self.authenticate("as_portal", "as_portal")
        form = self.url_open("/my/tickets/new")
        self.assertRegex(form.text, r'<input[^>]*name="subject"[^>]*maxlength="120"')
        response = self._send(subject="x" * 121)
        self.assertEqual(response.status_code, 400)
        self.assertIn("The subject is too long: at most 120 characters", response.text)
        self.assertFalse(self.env["aftersales.ticket"].search([("subject", "like", "xxx")]))
        self.assertEqual(self._send(subject="x" * 120).status_code, 303)

    def test_nul_character_is_a_clear_400_and_uses_no_number(self):
        self.authenticate("as_portal", "as_portal")
        before = self._sequence_next()
        for data in (
            {"subject": "Leak\x00"},
            {"subject": "Leak", "description": "drops\x00"},
            {"subject": "Leak", "lot_id": f"{self.lot.id}\x00"},
        ):
            response = self._send(**data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn("cannot be saved (a NUL character)", response.text)
            self.assertNotIn("0x00", response.text)
        self.assertFalse(self.env["aftersales.ticket"].search([("subject", "=", "Leak")]))
        self.assertEqual(self._sequence_next(), before, "no ticket number used up")
        self.assertEqual(self._send(subject="Leak").status_code, 303)
        self.assertEqual(self._sequence_next(), before + 1)

    def test_dates_without_seconds_in_the_customer_language(self):
        """In the visitor's language; in their time zone, else the team's."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.user_portal.write({"lang": "it_IT", "tz": False})
        self.calendar.tz = "Europe/Rome"
        ticket = self._create_ticket(
            subject="Grinder noise", date_open=datetime(2026, 3, 2, 9, 5, 33)
        )
        self.authenticate("as_portal", "as_portal")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("02/03/2026 10:05", page.text)
        self.assertNotIn("10:05:33", page.text)
