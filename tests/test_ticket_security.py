from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged, users

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketSecurity(AftersalesHelpdeskCase):
    """Technicians see their team's tickets and their own, managers all of their
    companies', portal users their commercial entity's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket_north = cls._create_ticket(subject="North call")
        cls.ticket_south = cls._create_ticket(subject="South call", team_id=cls.team_other.id)
        cls.ticket_south_mine = cls._create_ticket(
            subject="South call for Tina", team_id=cls.team_other.id
        )
        cls.ticket_south_mine.user_id = cls.user_technician
        cls.ticket_other_customer = cls._create_ticket(
            subject="Dolce Vita call", partner_id=cls.customer_other.id
        )
        cls.team_b = cls.env["aftersales.team"].create(
            {"name": "Team B", "company_id": cls.company_b.id, "resource_calendar_id": False}
        )
        cls.ticket_b = (
            cls.env["aftersales.ticket"]
            .with_company(cls.company_b)
            .create(
                {
                    "subject": "Company B call",
                    "partner_id": cls.customer_b.id,
                    "team_id": cls.team_b.id,
                }
            )
        )
        cls.all_tickets = (
            cls.ticket_north
            | cls.ticket_south
            | cls.ticket_south_mine
            | cls.ticket_other_customer
            | cls.ticket_b
        )

    def _visible(self):
        return self.env["aftersales.ticket"].search([("id", "in", self.all_tickets.ids)])

    @users("as_technician")
    def test_technician_sees_team_and_own_tickets(self):
        self.assertEqual(
            self._visible(),
            (self.ticket_north | self.ticket_south_mine | self.ticket_other_customer).with_env(
                self.env
            ),
        )
        with self.assertRaises(AccessError):
            self.ticket_south.with_env(self.env).read(["subject"])
        self.ticket_north.with_env(self.env).write({"subject": "North call (checked)"})
        with self.assertRaises(AccessError):
            self.ticket_north.with_env(self.env).unlink()

    @users("as_technician_other")
    def test_other_team_technician(self):
        self.assertEqual(self._visible(), (self.ticket_south | self.ticket_south_mine))

    @users("as_manager")
    def test_manager_sees_all_of_his_companies(self):
        self.assertEqual(self._visible(), self.all_tickets - self.ticket_b)
        self.env.user.company_ids = [Command.link(self.company_b.id)]
        both = self.env["aftersales.ticket"].with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual(
            both.search([("id", "in", self.all_tickets.ids)]).ids, self.all_tickets.sorted().ids
        )

    @users("as_portal")
    def test_portal_sees_own_entity_only(self):
        self.assertEqual(
            self._visible(), (self.ticket_north | self.ticket_south | self.ticket_south_mine)
        )
        with self.assertRaises(AccessError):
            self.ticket_other_customer.with_env(self.env).read(["subject"])
        with self.assertRaises(AccessError):
            self.ticket_north.with_env(self.env).write({"subject": "hacked"})

    @users("as_portal_b")
    def test_portal_of_company_b(self):
        self.assertEqual(self._visible(), self.ticket_b)
        with self.assertRaises(AccessError):
            self.ticket_north.with_env(self.env).read(["subject"])

    @users("as_accountant")
    def test_no_after_sales_group_no_ticket(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket"].search([])
