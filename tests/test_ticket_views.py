from odoo.tests import freeze_time, tagged, users

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketViews(AftersalesHelpdeskCase):
    """Smart buttons on serials, contracts, customers and teams; kanban columns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(lines=[cls._covered_line(lot=cls.lot)])
        cls.tickets = cls._create_ticket(lot_id=cls.lot.id) | cls._create_ticket(
            contact_id=cls.customer_contact.id
        )

    @users("as_technician")
    def test_smart_buttons(self):
        lot = self.lot.with_env(self.env)
        self.assertEqual(lot.aftersales_ticket_count, 1)
        action = lot.action_view_aftersales_tickets()
        self.assertEqual(self.env["aftersales.ticket"].search(action["domain"]), self.tickets[0])
        self.assertEqual(action["context"]["default_lot_id"], lot.id)

        contract = self.contract.with_env(self.env)
        self.assertEqual(contract.ticket_count, 1)
        action = contract.action_view_tickets()
        self.assertEqual(self.env["aftersales.ticket"].search(action["domain"]), self.tickets[0])

        contact = self.customer_contact.with_env(self.env)
        self.assertEqual(contact.aftersales_ticket_count, 2, "counted on the commercial entity")
        action = contact.action_view_aftersales_tickets()
        self.assertEqual(self.env["aftersales.ticket"].search(action["domain"]), self.tickets)

        team = self.team.with_env(self.env)
        self.assertEqual(team.open_ticket_count, 2)
        action = team.action_view_breached_tickets()
        self.assertEqual(action["context"]["search_default_breached"], 1)

    def test_kanban_shows_every_stage_of_the_team(self):
        groups = (
            self.env["aftersales.ticket"]
            .with_context(default_team_id=self.team.id, read_group_expand=True)
            .web_read_group([], ["stage_id"], ["__count"])
        )
        stage_ids = [group["stage_id"][0] for group in groups["groups"]]
        self.assertIn(self.stage_waiting.id, stage_ids, "empty columns are shown too")
        self.assertIn(self.stage_solved.id, stage_ids)
