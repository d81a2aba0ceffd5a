import contextlib

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketBadInput(AftersalesHelpdeskCase):
    """Bad input at intake that needs more than a row of tests/test_bad_input_matrix.py:
    the same call succeeding once fixed."""

    def _fails(self, exception, regex):
        """assertRaisesRegex that rolls back what the failed call wrote, like a request."""
        stack = contextlib.ExitStack()
        stack.enter_context(self.assertRaisesRegex(exception, regex))
        stack.enter_context(self.env.cr.savepoint())
        return stack

    def test_team_without_calendar(self):
        self.team.resource_calendar_id = False
        with self._fails(ValidationError, "has no working hours"):
            self._create_ticket()
        self.assertFalse(self.env["aftersales.ticket"].search([]))
        # Without any target, no calendar is needed.
        self.team.write({"response_hours": 0.0, "resolution_hours": 0.0})
        self.assertEqual(self._create_ticket().sla_status, "none")

    def test_oversize_attachments_from_the_portal(self):
        self.env["ir.config_parameter"].set_param("aftersales.portal_attachment_max_mb", "0.01")
        Ticket = self.env["aftersales.ticket"].with_user(self.user_portal)
        photo = ("photo.jpg", b"x" * 20000, "image/jpeg")
        with self._fails(UserError, "too large: at most 0.01 MB"):
            Ticket._portal_create_ticket("Leak", "See photo", files=[photo])
        self.assertFalse(self.env["aftersales.ticket"].search([]))
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "photo.jpg")]))
        small = ("photo.jpg", b"x" * 2000, "image/jpeg")
        ticket = Ticket._portal_create_ticket(
            "Leak", "See photo", lot_id=self.lot.id, files=[small]
        )
        self.assertEqual(ticket.channel, "portal")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.contact_id, self.customer_contact)
        self.assertEqual(ticket.coverage_kind, "warranty")
        self.assertEqual(ticket.sudo().message_ids.attachment_ids.mapped("name"), ["photo.jpg"])
