from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common.base import load_migration
from .common.intervention import AftersalesInterventionCase

MEASURES = [
    "__count",
    "response_time:avg",
    "resolution_time:avg",
    "response_met:sum",
    "response_breached:sum",
    "resolution_met:sum",
    "resolution_breached:sum",
    "response_compliance:avg",
    "resolution_compliance:avg",
    "open_count:sum",
    "solved:sum",
    "first_time_fix:sum",
    "first_time_fix_rate:avg",
    "repeat_call:sum",
    "repeat_rate:avg",
]


@tagged("post_install", "-at_install")
class TestReportServiceLevel(AftersalesInterventionCase):
    """The service-level report against a small world computed by hand.

    The team's calendar is 8-12 and 13-17 UTC, Monday to Friday (2 March 2026 is a
    Monday). Espresso North (Tina, Teo) gets T1-T3, Grinders South (Otto) T4-T5.

    * T1, Tina, serial AUR-0001, in Mon 2 Mar 09:00, targets 4 h / 16 h.
      Reply Mon 15:00: 9-12 + 13-15 = 5 h > 4 h: response breached (deadline 14:00).
      Solved Tue 3 Mar 16:00: Mon 3 + 4 = 7 h, Tue 4 + 3 = 7 h: 14 h <= 16 h, met.
      One intervention done: first-time fix.
    * T2, Teo, serial AUR-0999, in Fri 6 Mar 16:00, targets 2 h / 8 h.
      Reply Mon 9 Mar 08:30: Fri 16-17 + Mon 8-8:30 = 1.5 h, met.
      Waiting Mon 10:00 to 14:00: 10-12 + 13-14 = 3 h paused (after the reply: the
      response time stays 1.5 h).
      Solved Tue 10 Mar 10:00: Fri 1 + Mon 8 + Tue 2 = 11 h, less 3 paused = 8 h: met
      (deadline 8 + 3 = 11 working hours after the call: Tue 10:00, exactly).
      Two interventions done: not a first-time fix.
    * T3, Tina, serial AUR-0001 again, in Wed 18 Mar 10:00 (16 days after T1: a repeat
      call), targets 4 h / 16 h, never answered: both deadlines (Wed 15:00, Fri 10:00)
      are past, both breached; open.
    * T4, Otto, no serial, in Thu 5 Mar 09:00, targets 8 h / 24 h.
      Reply Thu 09:30: 0.5 h, met. Solved Fri 6 Mar 17:00: Thu 3 + 4, Fri 8 = 15 h, met.
      No intervention: a first-time fix ("solved by one intervention, or none").
    * T5, Otto, serial AUR-0999, in Mon 16 Mar 08:00 (10 days after T2: a repeat call),
      no targets (no SLA): neither met nor breached; open.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.resource_calendar_id = cls.calendar  # 8-12, 13-17 UTC
        cls.team_other.resource_calendar_id = cls.calendar
        cls.stage_cancel = cls.env["aftersales.ticket.stage"].search(
            [("is_cancelling", "=", True)], limit=1
        )
        cls.t1 = cls._ticket("2026-03-02 09:00:00", cls.user_technician, cls.lot, 4, 16)
        cls._reply(cls.t1, "2026-03-02 15:00:00")
        cls._done_interventions(cls.t1, 1)
        cls._move(cls.t1, cls.stage_solved, "2026-03-03 16:00:00")

        cls.t2 = cls._ticket(
            "2026-03-06 16:00:00",
            cls.user_technician_2,
            cls.lot_other,
            2,
            8,
            partner_id=cls.customer_other.id,
        )
        cls._reply(cls.t2, "2026-03-09 08:30:00")
        cls._move(cls.t2, cls.stage_waiting, "2026-03-09 10:00:00")
        cls._move(cls.t2, cls.stage_progress, "2026-03-09 14:00:00")
        cls._done_interventions(cls.t2, 2)
        cls._move(cls.t2, cls.stage_solved, "2026-03-10 10:00:00")

        cls.t3 = cls._ticket("2026-03-18 10:00:00", cls.user_technician, cls.lot, 4, 16)

        cls.t4 = cls._ticket(
            "2026-03-05 09:00:00", cls.user_technician_other, False, 8, 24, team=cls.team_other
        )
        cls._reply(cls.t4, "2026-03-05 09:30:00")
        cls._move(cls.t4, cls.stage_solved, "2026-03-06 17:00:00")

        cls.t5 = cls._ticket(
            "2026-03-16 08:00:00",
            cls.user_technician_other,
            cls.lot_other,
            0,
            0,
            team=cls.team_other,
            partner_id=cls.customer_other.id,
        )
        cls.tickets = cls.t1 | cls.t2 | cls.t3 | cls.t4 | cls.t5
        cls.env.flush_all()

    @classmethod
    def _ticket(cls, when, user, lot, response, resolution, team=None, **vals):
        with freeze_time(when):
            return cls._create_ticket(
                team_id=(team or cls.team).id,
                user_id=user.id,
                lot_id=lot.id if lot else False,
                date_open=when,
                sla_response_hours=response,
                sla_resolution_hours=resolution,
                **vals,
            )

    @classmethod
    def _reply(cls, ticket, when):
        with freeze_time(when):
            ticket.with_user(ticket.user_id).message_post(
                body="On our way.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    @classmethod
    def _move(cls, ticket, stage, when):
        with freeze_time(when):
            ticket.stage_id = stage

    @classmethod
    def _done_interventions(cls, ticket, count):
        for _index in range(count):
            intervention = cls._create_intervention(ticket_id=ticket.id)
            intervention.action_start()
            intervention.action_done()

    def _db_now(self):
        self.env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        return self.env.cr.fetchone()[0]

    def _groups(self, groupby, user=None):
        Report = self.env["aftersales.service.level.report"]
        if user:
            Report = Report.with_user(user)
        rows = Report._read_group([("ticket_id", "in", self.tickets.ids)], [groupby], MEASURES)
        return {
            row[0]: [round(value, 4) if isinstance(value, float) else value for value in row[1:]]
            for row in rows
        }

    # ------------------------------------------------------------------
    def test_times_are_stored_on_the_tickets_as_they_move(self):
        times = [(t.sla_response_time, t.sla_resolution_time) for t in self.tickets]
        self.assertEqual(times, [(5.0, 14.0), (1.5, 8.0), (0.0, 0.0), (0.5, 15.0), (0.0, 0.0)])
        self.assertEqual(self.t2.sla_paused_hours, 3.0)
        self.assertEqual(
            [t.sla_status for t in self.tickets], ["breached", "met", "on_track", "met", "none"]
        )

    def test_reopened_ticket_loses_its_resolution_time(self):
        self._move(self.t4, self.stage_progress, "2026-03-09 09:00:00")
        self.assertEqual((self.t4.sla_response_time, self.t4.sla_resolution_time), (0.5, 0.0))
        self._move(self.t4, self.stage_solved, "2026-03-09 10:00:00")
        # 15 h to Friday 17:00, then Monday 8-10: 17 h
        self.assertEqual(self.t4.sla_resolution_time, 17.0)

    def test_every_measure_grouped_by_team(self):
        # North: T1, T2, T3. Response times 5 and 1.5 (T3 unanswered): average 3.25;
        # resolution 14 and 8: 11. Responses: T2 met, T1 and T3 breached: 1/3 = 33.33%.
        # Resolutions: T1, T2 met, T3 breached: 2/3 = 66.67%. Solved 2, first-time fix 1
        # (T1): 50%. Repeat calls 1 (T3) of 3: 33.33%.
        # South: T4, T5. Times 0.5 and 15; responses 1/1, resolutions 1/1 (T5 has no
        # SLA); first-time fix 1/1; repeat 1 (T5) of 2: 50%.
        self.assertEqual(
            self._groups("team_id"),
            {
                self.team: [3, 3.25, 11.0, 1, 2, 2, 1, 33.3333, 66.6667, 1, 2, 1, 50.0, 1, 33.3333],
                self.team_other: [2, 0.5, 15.0, 1, 0, 1, 0, 100.0, 100.0, 1, 1, 1, 100.0, 1, 50.0],
            },
        )

    def test_every_measure_grouped_by_technician(self):
        # Tina: T1, T3. Response 5 (T3 unanswered), resolution 14. Responses 0/2,
        # resolutions 1/2 = 50%. Solved 1, first-time fix 1: 100%. Repeat 1/2: 50%.
        # Teo: T2. 1.5 h, 8 h; both met; solved 1, no first-time fix: 0%; no repeat.
        self.assertEqual(
            self._groups("user_id"),
            {
                self.user_technician: [
                    2,
                    5.0,
                    14.0,
                    0,
                    2,
                    1,
                    1,
                    0.0,
                    50.0,
                    1,
                    1,
                    1,
                    100.0,
                    1,
                    50.0,
                ],
                self.user_technician_2: [
                    1,
                    1.5,
                    8.0,
                    1,
                    0,
                    1,
                    0,
                    100.0,
                    100.0,
                    0,
                    1,
                    0,
                    0.0,
                    0,
                    0.0,
                ],
                self.user_technician_other: [
                    2,
                    0.5,
                    15.0,
                    1,
                    0,
                    1,
                    0,
                    100.0,
                    100.0,
                    1,
                    1,
                    1,
                    100.0,
                    1,
                    50.0,
                ],
            },
        )

    def test_each_row_matches_its_ticket(self):
        """A reporting figure that disagrees with the ticket it summarises is a defect."""
        rows = self.env["aftersales.service.level.report"].search(
            [("ticket_id", "in", self.tickets.ids)]
        )
        for row in rows:
            ticket = row.ticket_id
            with self.subTest(ticket=ticket.subject):
                self.assertEqual(
                    (row.team_id, row.user_id, row.priority, row.coverage_kind, row.lot_id),
                    (
                        ticket.team_id,
                        ticket.user_id,
                        ticket.priority,
                        ticket.coverage_kind,
                        ticket.lot_id,
                    ),
                )
                self.assertEqual(row.partner_id, ticket.commercial_partner_id)
                self.assertEqual(row.date_open, ticket.date_open)

    def test_backlog_age_of_open_tickets(self):
        now = self._db_now()  # the database's clock: PostgreSQL ignores freeze_time
        # T3 in on 18 March 10:00, T5 on 16 March 08:00; the closed ones have no age
        expected = {
            self.t3: (now - datetime(2026, 3, 18, 10, 0)).total_seconds() / 86400,
            self.t5: (now - datetime(2026, 3, 16, 8, 0)).total_seconds() / 86400,
        }
        rows = self.env["aftersales.service.level.report"].search(
            [("ticket_id", "in", self.tickets.ids), ("backlog_age", "!=", False)]
        )
        self.assertEqual(rows.ticket_id, self.t3 | self.t5)
        for row in rows:
            self.assertAlmostEqual(row.backlog_age, expected[row.ticket_id], places=4)
        [(average,)] = self.env["aftersales.service.level.report"]._read_group(
            [("ticket_id", "in", self.tickets.ids)], [], ["backlog_age:avg"]
        )
        self.assertAlmostEqual(average, sum(expected.values()) / 2, places=4)

    def test_monthly_totals(self):
        """Grouped by month: all five tickets came in March."""
        groups = self.env["aftersales.service.level.report"]._read_group(
            [("ticket_id", "in", self.tickets.ids)],
            ["date_open:month"],
            ["__count", "response_compliance:avg", "resolution_compliance:avg"],
        )
        # responses met 2 (T2, T4) of 4 (T1, T2, T3, T4); resolutions met 3 of 4
        self.assertEqual(
            [(month.month, count, round(r, 2), round(s, 2)) for month, count, r, s in groups],
            [(3, 5, 50.0, 75.0)],
        )

    def test_cancelled_ticket_is_not_solved(self):
        ticket = self._ticket("2026-03-02 09:00:00", self.user_technician, False, 4, 16)
        self._move(ticket, self.stage_cancel, "2026-03-02 10:00:00")
        row = self.env["aftersales.service.level.report"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(
            (row.solved, row.first_time_fix, row.resolution_met, row.resolution_breached),
            (0, 0, 0, 0),
        )

    def test_cancelled_ticket_has_no_resolution_time(self):
        """A duplicate of T4 comes in on Thu 5 Mar 10:00 and is cancelled at 11:00. It
        used to store 1 h of resolution, and South's average became (15 + 1) / 2 = 8 h.
        A cancelled ticket has no resolution time: South's average stays T4's 15 h, its
        resolution targets stay 1 met of 1, and the report counts 1 cancelled ticket
        (North none). The duplicate still counts as a ticket received: South 3."""
        duplicate = self._ticket(
            "2026-03-05 10:00:00", self.user_technician_other, False, 8, 24, team=self.team_other
        )
        self._move(duplicate, self.stage_cancel, "2026-03-05 11:00:00")
        self.assertTrue(duplicate.date_closed)
        self.assertEqual(duplicate.sla_resolution_time, 0.0)
        self.env.flush_all()
        measures = [
            "__count",
            "resolution_time:avg",
            "resolution_met:sum",
            "resolution_breached:sum",
            "cancelled:sum",
            "open_count:sum",
        ]
        rows = (
            self.env["aftersales.service.level.report"]
            .with_user(self.user_manager)
            ._read_group(
                [("ticket_id", "in", (self.tickets | duplicate).ids)], ["team_id"], measures
            )
        )
        self.assertEqual(
            {team: list(values) for team, *values in rows},
            {
                # T1 14 h, T2 8 h: 11 h; T3 breached; nothing cancelled
                self.team: [3, 11.0, 2, 1, 0, 1],
                # T4 15 h; T5 open without SLA; the duplicate cancelled
                self.team_other: [3, 15.0, 1, 0, 1, 1],
            },
        )
        # the cancelled ticket's own row: counted apart, with no resolution time
        row = self.env["aftersales.service.level.report"].search([("ticket_id", "=", duplicate.id)])
        self.assertEqual((row.cancelled, row.resolution_time, row.solved), (1, 0.0, 0))

    def test_technician_sees_own_teams_only(self):
        report = self.env["aftersales.service.level.report"]
        seen = report.with_user(self.user_technician_other).search(
            [("ticket_id", "in", self.tickets.ids)]
        )
        self.assertEqual(seen.ticket_id, self.t4 | self.t5)
        seen = report.with_user(self.user_technician).search(
            [("ticket_id", "in", self.tickets.ids)]
        )
        self.assertEqual(seen.ticket_id, self.t1 | self.t2 | self.t3)
        for user in (self.user_manager, self.user_accountant):
            seen = report.with_user(user).search([("ticket_id", "in", self.tickets.ids)])
            self.assertEqual(seen.ticket_id, self.tickets, user.login)

    def test_other_company_rows_hidden(self):
        self.t5.sudo().write({"team_id": False, "company_id": self.company_b.id})
        report = self.env["aftersales.service.level.report"].with_user(self.user_manager)
        self.assertNotIn(self.t5, report.search([("ticket_id", "in", self.tickets.ids)]).ticket_id)

    def test_upgrade_computes_the_times_of_existing_tickets(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "UPDATE aftersales_ticket SET sla_response_time = NULL, sla_resolution_time = NULL"
            " WHERE id IN %s",
            [tuple(self.tickets.ids)],
        )
        self.env.invalidate_all()
        self.assertFalse(self.t1.sla_response_time)
        module = load_migration("migrations/19.0.1.2.0/post-migrate_ticket_sla_times.py")
        module.migrate(cr, "19.0.1.1.0")
        self.env.invalidate_all()
        times = [(t.sla_response_time, t.sla_resolution_time) for t in self.tickets]
        # the upgrade counts T2's pause (after its reply) against the resolution only
        self.assertEqual(times, [(5.0, 14.0), (1.5, 8.0), (0.0, 0.0), (0.5, 15.0), (0.0, 0.0)])
