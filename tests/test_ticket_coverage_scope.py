from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestTicketCoverageScope(AftersalesHelpdeskCase):
    """Which day a call is on, and which serials a customer may quote: the coverage day
    is the team's (or company's) local day whatever the caller's time zone, and serials
    are looked up in the ticket's company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar_rome = cls.calendar.copy({"name": "Rome desk", "tz": "Europe/Rome"})
        cls.team_rome = cls.env["aftersales.team"].create(
            {
                "name": "Bergamo desk",
                "resource_calendar_id": cls.calendar_rome.id,
                "notify_receipt": False,
            }
        )
        # no delivery, no warranty: only a contract covers it
        cls.lot_new = cls._create_lot("AUR-TZ-1", aftersales_customer_id=cls.customer.id)

    def _contract_from(self, day, lot=None):
        return self._create_contract(
            lines=[self._covered_line(lot=lot or self.lot_new)], date_start=day, date_end=False
        )

    def _call(self, moment, tz="UTC", lot=None, **vals):
        """A call recorded at ``moment`` (UTC) by a caller in ``tz`` (e-mail, portal and
        crons run in UTC)."""
        with freeze_time(moment):
            return (
                self.env["aftersales.ticket"]
                .with_context(tz=tz)
                .create(
                    {
                        "subject": "Call",
                        "partner_id": self.customer.id,
                        "team_id": self.team_rome.id,
                        "lot_id": (lot or self.lot_new).id,
                        **vals,
                    }
                )
            )

    def test_first_day_just_after_local_midnight_across_dst(self):
        for first_day, utc_offset in ((date(2026, 3, 29), 1), (date(2026, 10, 25), 2)):
            with self.subTest(first_day=first_day):
                lot = self._create_lot(
                    f"AUR-DST-{first_day}", aftersales_customer_id=self.customer.id
                )
                contract = self._contract_from(first_day, lot)
                # 00:30 in Rome on the first day (CET +1 before the spring change, CEST +2
                # before the autumn one) is still the day before in UTC
                moment = datetime(
                    first_day.year, first_day.month, first_day.day - 1, 24 - utc_offset, 30
                )
                for tz in ("UTC", "America/New_York", "Europe/Rome"):
                    ticket = self._call(moment, tz=tz, lot=lot)
                    self.assertEqual(ticket.coverage_kind, "contract", tz)
                    self.assertEqual(ticket.contract_id, contract, tz)
                # an hour earlier it is the last evening before the contract, in Rome
                earlier = self._call(moment.replace(hour=moment.hour - 1), lot=lot)
                self.assertEqual(earlier.coverage_kind, "billable")

    def test_company_time_zone_when_the_team_has_no_calendar(self):
        self.team_rome.resource_calendar_id = False
        self.company.resource_calendar_id.tz = "Europe/Rome"
        self.company.partner_id.tz = "Europe/Rome"
        contract = self._contract_from(date(2026, 3, 29))
        ticket = self._call(datetime(2026, 3, 28, 23, 30))
        self.assertEqual(ticket.contract_id, contract)

    def test_serials_of_another_company_are_not_offered_nor_quoted(self):
        # a customer shared by both companies owns a machine of each
        self.assertFalse(self.customer.company_id)
        lot_b = self._create_lot(
            "AUR-B-777", company_id=self.company_b.id, aftersales_customer_id=self.customer.id
        )
        Ticket = self.env["aftersales.ticket"].with_user(self.user_portal)
        offered = Ticket._portal_lots()
        self.assertIn(self.lot, offered)
        self.assertNotIn(lot_b, offered)
        with self.assertRaisesRegex(UserError, "not one of your machines"):
            Ticket._portal_create_ticket("Leak", "Water on the floor", lot_id=lot_b.id)
        # an e-mail to company A's team quoting company B's serial
        ticket = (
            self.env["aftersales.ticket"]
            .with_context(mail_create_nolog=True)
            .message_new(
                {
                    "subject": "Machine AUR-B-777 leaks",
                    "body": "Serial AUR-B-777 leaks since this morning.",
                    "author_id": self.customer_contact.id,
                    "email_from": self.customer_contact.email,
                },
                {"team_id": self.team.id},
            )
        )
        self.assertEqual(ticket.company_id, self.company)
        self.assertFalse(ticket.lot_id)
