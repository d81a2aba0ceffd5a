from odoo.tests import tagged

from .common.base import AftersalesHelpdeskCase
from .common.http import AftersalesHttpCase


@tagged("post_install", "-at_install")
class TestTicketWebTour(AftersalesHelpdeskCase, AftersalesHttpCase):
    """A technician types a call in the web client: the coverage shows before saving."""

    def test_web_client_tour_finds_the_coverage(self):
        self.start_tour(
            "/odoo/action-aftersales.aftersales_ticket_action/new",
            "aftersales_ticket_form_tour",
            login="as_technician",
        )
        ticket = self.env["aftersales.ticket"].search([("subject", "=", "Grinder blocked")])
        self.assertEqual(ticket.coverage_kind, "warranty")
        self.assertEqual(ticket.channel, "web")
        self.assertIn(ticket.user_id, self.team.member_ids)

    def test_bare_technician_works_a_ticket(self):
        """A technician with only After-Sales / User opens a call of the team, logs a
        note in the chatter and moves the ticket on, in the browser."""
        ticket = self._create_ticket(
            subject="Machine leaks water", lot_id=self.lot.id, user_id=self.user_technician.id
        )
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertEqual(
            self.user_technician.all_group_ids,
            self.env.ref("aftersales.group_aftersales_user").all_implied_ids,
        )
        self.start_tour(
            "/odoo/action-aftersales.aftersales_ticket_action",
            "aftersales_technician_ticket_tour",
            login="as_technician",
        )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        note = ticket.message_ids.filtered(lambda m: "Gasket replaced" in str(m.body))
        self.assertEqual(note.author_id, self.user_technician.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
