from datetime import date

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractOverlap(AftersalesCase):
    """A serial is covered by one active contract on any day: when a line changes, when
    a contract's dates or state change, and in the database whoever writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._create_lot("AUR-OVL-1")
        cls.this_year = cls._create_contract(lines=[cls._covered_line(cls.lot)])
        cls.next_year = cls._create_contract(
            lines=[cls._covered_line(cls.lot)],
            date_start=date(2027, 1, 1),
            date_end=date(2027, 12, 31),
        )

    def _assert_refused(self, record, vals):
        """Refused by the Python check (which names the other contract) or, when the
        check's own search flushes the change first, by the database (whose message the
        web client and JSON-RPC show); nothing is written either way."""
        before = record.read(list(vals))[0]
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(Exception) as caught,
            self.env.cr.savepoint(),
        ):
            record.write(vals)
            self.env.flush_all()
        self.assertIsInstance(
            caught.exception, (ValidationError, psycopg2.errors.ExclusionViolation)
        )
        record.invalidate_recordset()
        self.assertEqual(record.read(list(vals))[0], before, "nothing written")

    def test_coverage_dates_follow_the_line_and_the_contract(self):
        line = self.this_year.line_ids
        self.assertEqual(line.coverage_date_start, date(2026, 1, 1))
        self.assertEqual(line.coverage_date_end, date(2026, 12, 31))
        line.date_end = date(2026, 6, 30)
        self.this_year.date_end = False
        self.assertEqual(line.coverage_date_end, date(2026, 6, 30))

    def test_extending_or_moving_an_active_contract_onto_another_is_refused(self):
        self._assert_refused(self.this_year, {"date_end": date(2027, 6, 30)})
        self._assert_refused(self.this_year, {"date_end": False})
        # a proposal over the same days cannot be made active by writing its state
        proposal = self._create_contract(
            lines=[self._covered_line(self.lot)], activate=False, date_start=date(2026, 6, 1)
        )
        self._assert_refused(proposal, {"state": "active"})
        # ending earlier is fine
        self.this_year.date_end = date(2026, 11, 30)
        self.env.flush_all()

    def test_the_database_refuses_what_the_orm_does_not_see(self):
        """Concurrent transactions each pass the Python check on what they see; the
        exclusion constraint makes the second one wait for the first and then fail.
        Shown here with a plain SQL write that no Python check sees."""
        self.env.flush_all()
        line = self.this_year.line_ids
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation) as caught,
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE aftersales_contract_line SET coverage_date_end = '2027-01-01'"
                " WHERE id = %s",
                [line.id],
            )
        # what a user of the web client or JSON-RPC is told
        self.assertEqual(
            line._sql_error_to_message(caught.exception),
            "A serial number cannot be covered by two active contracts on the same day.",
        )
        # a line of a proposal, or of a closed contract, does not count
        self.env.cr.execute(
            "UPDATE aftersales_contract_line SET coverage_date_end = NULL, contract_state ="
            " 'closed' WHERE id = %s",
            [line.id],
        )
