import logging

from odoo.tests import freeze_time, tagged

from .common.base import AftersalesHelpdeskCase

_logger = logging.getLogger(__name__)

# One of them writes the number, given once the ticket has passed its checks.
WEB_TICKET_MAX_QUERIES = 31
# Measured (tracking on, caches warm): 95 queries for 20 tickets, 277 for 80, so about
# 3 for each ticket more.
BATCH_MAX_QUERIES_20 = 100
BATCH_MAX_QUERIES_80 = 285
BATCH_MAX_QUERIES_PER_EXTRA_TICKET = 3.1
# With the receipt (a composer, its message and e-mail), the technician's to-do and the
# wake-up of the mail queue, committed.
WEB_TICKET_WITH_RECEIPT_MAX_QUERIES = 66
# The portal: the serial checked, the ticket with its receipt, the customer subscribed and
# the message that carries the photo, committed.
PORTAL_TICKET_MAX_QUERIES = 85
PHOTO = ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketPerformance(AftersalesHelpdeskCase):
    """Query counts that must not grow with the number of tickets or contracts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lots = cls.env["stock.lot"].create(
            [
                {
                    "name": f"PERF-{i:04d}",
                    "product_id": cls.machine.id,
                    "aftersales_customer_id": cls.customer.id,
                }
                for i in range(40)
            ]
        )
        cls.contracts = cls._create_contracts(cls.lots[:20])

    @classmethod
    def _create_contracts(cls, lots):
        contracts = cls.env["aftersales.contract"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                    "line_ids": [
                        cls._covered_line(lot=lot, response_hours=8.0, resolution_hours=24.0)
                    ],
                }
                for lot in lots
            ]
        )
        contracts.action_activate()
        return contracts

    def _existing_tickets(self, count):
        self.env["aftersales.ticket"].create(
            [
                {
                    "subject": f"Old {i}",
                    "partner_id": self.customer.id,
                    "lot_id": self.lots[i % len(self.lots)].id,
                }
                for i in range(count)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()

    def _web_client(self):
        # The web client sends its language and time zone in the context; the chatter
        # and tracking are on, as in production.
        return (
            self.env["aftersales.ticket"]
            .with_user(self.user_technician)
            .with_context(lang="en_US", tz="Europe/Rome", tracking_disable=False)
        )

    def _web_ticket_queries(self, lot):
        Ticket = self._web_client()
        # The form sends the team it defaulted to when it opened.
        vals = {
            "subject": "Machine down",
            "partner_id": self.customer.id,
            "lot_id": lot.id,
            "team_id": self.team.id,
        }
        self.env.flush_all()
        self.env.invalidate_all()
        # The request has checked its session: the user and company are loaded.
        Ticket.env.user.partner_id.read(["name"])
        Ticket.env.company.read(["name"])
        with self.assertQueryCount(WEB_TICKET_MAX_QUERIES):
            ticket = Ticket.create(vals)
            self.env.flush_all()
        self.assertEqual(ticket.coverage_kind, "contract")
        self.assertTrue(ticket.sla_resolution_deadline)

    def test_one_web_ticket_with_few_or_many_existing_tickets(self):
        # A running server has its caches (access rules, sequences) warm.
        self._web_client().create(
            {"subject": "Warm-up", "partner_id": self.customer.id, "team_id": self.team.id}
        )
        self._existing_tickets(5)
        self._web_ticket_queries(self.lots[0])
        self._existing_tickets(300)
        self._web_ticket_queries(self.lots[1])

    def _batch_queries(self, count):
        vals_list = [
            {
                "subject": f"Batch {i}",
                "partner_id": self.customer.id,
                "lot_id": self.lots[i % len(self.lots)].id,
            }
            for i in range(count)
        ]
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        Ticket = self.env["aftersales.ticket"].with_context(tracking_disable=False)
        tickets = Ticket.create(vals_list)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        # The first 20 serials have a contract, the other 20 neither contract nor warranty.
        expected = ["contract" if i % len(self.lots) < 20 else "billable" for i in range(count)]
        self.assertEqual(tickets.mapped("coverage_kind"), expected)
        return queries

    def test_batch_creation_queries_per_ticket(self):
        self._batch_queries(1)  # a running server has its caches warm
        small = self._batch_queries(20)
        large = self._batch_queries(80)
        _logger.info("batch: %.2f queries/ticket for 20, %.2f for 80", small / 20, large / 80)
        self.assertLessEqual(small, BATCH_MAX_QUERIES_20)
        self.assertLessEqual(large, BATCH_MAX_QUERIES_80)
        # what 60 more tickets cost, whatever the batch
        self.assertLessEqual(large - small, 60 * BATCH_MAX_QUERIES_PER_EXTRA_TICKET)

    def _mail_queue_triggers(self):
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def _check_queued_creation_mail(self, ticket, triggers_before):
        """The new ticket's e-mails wait in the queue, whose cron is woken once."""
        mails = self.env["mail.mail"].search(
            [("res_id", "=", ticket.id), ("model", "=", ticket._name)]
        )
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertEqual(len(self._mail_queue_triggers() - triggers_before), 1)

    def test_one_web_ticket_with_its_receipt(self):
        self.team.notify_receipt = True
        self._web_client().create(
            {"subject": "Warm-up", "partner_id": self.customer.id, "team_id": self.team.id}
        )
        self._existing_tickets(5)
        for lot in self.lots[:2]:
            self.env.cr.flush()  # the warm-up's commit: its wake-up of the queue is done
            triggers = self._mail_queue_triggers()
            Ticket = self._web_client()
            vals = {
                "subject": "Machine down",
                "partner_id": self.customer.id,
                "contact_id": self.customer_contact.id,
                "lot_id": lot.id,
                "team_id": self.team.id,
            }
            self.env.flush_all()
            self.env.invalidate_all()
            Ticket.env.user.partner_id.read(["name"])
            Ticket.env.company.read(["name"])
            with self.assertQueryCount(WEB_TICKET_WITH_RECEIPT_MAX_QUERIES):
                ticket = Ticket.create(vals)
                self.env.cr.flush()  # the commit's flush and pre-commit hooks
            self._check_queued_creation_mail(ticket, triggers)
            self._existing_tickets(300)

    def test_one_portal_ticket_with_a_photo(self):
        self.team.notify_receipt = True
        Ticket = (
            self.env["aftersales.ticket"]
            .with_user(self.user_portal)
            .with_context(lang="en_US", tracking_disable=False)
        )
        Ticket._portal_create_ticket("Warm-up", "Warm-up", lot_id=self.lots[0].id, files=[PHOTO])
        self._existing_tickets(5)
        for lot in self.lots[:2]:
            self.env.cr.flush()
            triggers = self._mail_queue_triggers()
            self.env.flush_all()
            self.env.invalidate_all()
            Ticket.env.user.partner_id.read(["name"])
            Ticket.env.company.read(["name"])
            with self.assertQueryCount(PORTAL_TICKET_MAX_QUERIES):
                ticket = Ticket._portal_create_ticket(
                    "Machine down", "It does not heat.", lot_id=str(lot.id), files=[PHOTO]
                )
                self.env.cr.flush()
            self.assertEqual(ticket.message_ids.attachment_ids.mapped("name"), ["photo.png"])
            self._check_queued_creation_mail(ticket, triggers)
            self._existing_tickets(300)
