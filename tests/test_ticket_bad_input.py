import contextlib
from datetime import date

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketBadInput(AftersalesHelpdeskCase):
    """Each bad input gets a clear error and leaves no ticket behind."""

    def _fails(self, exception, regex):
        """assertRaisesRegex that rolls back what the failed call wrote, like a request."""
        stack = contextlib.ExitStack()
        stack.enter_context(self.assertRaisesRegex(exception, regex))
        stack.enter_context(self.env.cr.savepoint())
        return stack

    def _count(self):
        return self.env["aftersales.ticket"].search_count([])

    def test_serial_of_another_customer_by_api(self):
        before = self._count()
        with self._fails(ValidationError, "AUR-0999 belongs to another customer"):
            self._create_ticket(lot_id=self.lot_other.id)
        self.assertEqual(self._count(), before)
        ticket = self._create_ticket(lot_id=self.lot.id)
        with self._fails(ValidationError, "belongs to another customer"):
            ticket.lot_id = self.lot_other

    def test_serial_of_another_customer_from_the_portal(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.user_portal)
        self.assertEqual(Ticket._portal_lots(), self.lot)
        with self._fails(UserError, "not one of your machines"):
            Ticket._portal_create_ticket("Broken", "It leaks", lot_id=self.lot_other.id)
        self.assertFalse(self.env["aftersales.ticket"].search([("subject", "=", "Broken")]))

    def test_contract_of_another_customer(self):
        contract = self._create_contract(partner_id=self.customer_other.id)
        with self._fails(ValidationError, "belongs to another customer"):
            self._create_ticket(contract_id=contract.id)
        self.assertFalse(self.env["aftersales.ticket"].search([]))

    def test_contract_of_another_company(self):
        contract_b = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_b.id,
                "date_start": date(2026, 1, 1),
                "line_ids": [self._covered_line()],
            }
        )
        with self._fails(UserError, "belongs to company Other Company B"):
            self._create_ticket(contract_id=contract_b.id)
        self.assertFalse(self.env["aftersales.ticket"].search([]))

    def _check_violation(self):
        stack = contextlib.ExitStack()
        stack.enter_context(mute_logger("odoo.sql_db"))
        stack.enter_context(self.assertRaises(psycopg2.errors.CheckViolation))
        stack.enter_context(self.env.cr.savepoint())
        return stack

    def test_negative_sla_target(self):
        with self._check_violation():
            self._create_ticket(sla_response_hours=-1.0)
        with self._check_violation():
            self.team.write({"resolution_hours": -8.0})
            self.env.flush_all()
        with self._check_violation():
            self._create_contract(lines=[self._covered_line(response_hours=-4.0)])
        self.assertFalse(self.env["aftersales.ticket"].search([]))

    def test_team_without_calendar(self):
        self.team.resource_calendar_id = False
        with self._fails(ValidationError, "has no working hours"):
            self._create_ticket()
        self.assertFalse(self.env["aftersales.ticket"].search([]))
        # Without any target, no calendar is needed.
        self.team.write({"response_hours": 0.0, "resolution_hours": 0.0})
        self.assertEqual(self._create_ticket().sla_status, "none")

    def test_empty_subject_or_description_from_the_portal(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.user_portal)
        for subject, description in (("", "It leaks"), ("Leak", "   "), ("  ", "")):
            with self._fails(UserError, "subject and describe"):
                Ticket._portal_create_ticket(subject, description)
        self.assertFalse(self.env["aftersales.ticket"].search([]))

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
