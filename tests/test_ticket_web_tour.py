from odoo.tests import HttpCase, tagged

from .common import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketWebTour(AftersalesHelpdeskCase, HttpCase):
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
