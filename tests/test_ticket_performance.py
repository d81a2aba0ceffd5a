import logging

from odoo.tests import freeze_time, tagged

from .common import AftersalesHelpdeskCase

_logger = logging.getLogger(__name__)

# One of them writes the number, given once the ticket has passed its checks.
WEB_TICKET_MAX_QUERIES = 31
# Measured (tracking on, caches warm): 95 queries for 20 tickets, 277 for 80, so about
# 3 for each ticket more.
BATCH_MAX_QUERIES_20 = 100
BATCH_MAX_QUERIES_80 = 285
BATCH_MAX_QUERIES_PER_EXTRA_TICKET = 3.1


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
