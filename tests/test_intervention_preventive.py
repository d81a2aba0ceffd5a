from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common.intervention import AftersalesInterventionCase


@tagged("post_install", "-at_install")
class TestInterventionPreventive(AftersalesInterventionCase):
    """Preventive visits from contract lines: spread over the contract year, on working
    days, once; the next term's on renewal; future ones cancelled on closing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id = cls.calendar_rome
        # a company closure on Monday 17 August 2026
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Chiusura estiva",
                "calendar_id": cls.calendar_rome.id,
                "date_from": datetime(2026, 8, 16, 22, 0),
                "date_to": datetime(2026, 8, 17, 22, 0),
            }
        )

    def _preventive_contract(self, visits=4, lot_name="PRV-0001", **vals):
        lot = self._create_lot(lot_name, aftersales_customer_id=self.customer.id)
        with freeze_time("2026-01-01 06:00:00"):
            return self._create_contract(
                lines=[self._fee_line(), self._covered_line(lot, preventive_visits=visits)],
                **vals,
            )

    def test_visits_spread_on_working_days(self):
        contract = self._preventive_contract()
        visits = contract.preventive_intervention_ids.sorted("preventive_index")
        self.assertEqual(len(visits), 4)
        self.assertEqual(set(visits.mapped("state")), {"draft"})
        self.assertEqual(set(visits.mapped("intervention_type")), {"preventive"})
        self.assertEqual(visits.mapped("preventive_index"), [1, 2, 3, 4])
        self.assertEqual(set(visits.mapped("preventive_year_start")), {date(2026, 1, 1)})
        self.assertEqual(visits.contract_id, contract)
        self.assertEqual(visits.lot_id, contract.line_ids.lot_id)
        self.assertEqual(set(visits.mapped("coverage_kind")), {"contract"})
        # 15 February and 17 May are Sundays; 17 August is the company closure
        self.assertEqual(
            visits.mapped("date_planned_start"),
            [
                datetime(2026, 2, 16, 7, 0),  # 08:00 in Rome (CET)
                datetime(2026, 5, 18, 6, 0),  # 08:00 in Rome (CEST)
                datetime(2026, 8, 18, 6, 0),
                datetime(2026, 11, 16, 7, 0),
            ],
        )
        self.assertEqual(visits[0].date_planned_end, datetime(2026, 2, 16, 11, 0))
        self.assertTrue(visits[0].name.startswith("INT/"))
        self.assertEqual(len(set(visits.mapped("name"))), 4)
        self.assertEqual(
            (contract.preventive_due, contract.preventive_done),
            (0, 0) if False else (contract.preventive_due, 0),
        )

    def test_generating_twice_creates_nothing(self):
        contract = self._preventive_contract()
        with freeze_time("2026-03-01"):
            self.assertFalse(contract._generate_preventive_visits())
            self._run_cron("aftersales.ir_cron_aftersales_preventive_visits")
        self.assertEqual(len(contract.preventive_intervention_ids), 4)
        # the database refuses a second copy of a visit
        first = contract.preventive_intervention_ids[0]
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            first.copy(
                {
                    "preventive_line_id": first.preventive_line_id.id,
                    "preventive_year_start": first.preventive_year_start,
                    "preventive_index": first.preventive_index,
                }
            )
        # a cancelled visit is generated again
        first.action_cancel()
        with freeze_time("2026-03-01"):
            again = contract._generate_preventive_visits()
        self.assertEqual(again.preventive_index, first.preventive_index)

    def test_due_and_done_in_the_contract_year(self):
        contract = self._preventive_contract(visits=2)
        visit = contract.preventive_intervention_ids[0]
        visit.employee_ids = self.employee
        visit.action_start()
        visit.action_done()
        with freeze_time("2026-06-01"):
            contract.invalidate_recordset(["preventive_due", "preventive_done"])
            self.assertEqual((contract.preventive_due, contract.preventive_done), (2, 1))
        with freeze_time("2027-06-01"):  # a year without visits
            contract.invalidate_recordset(["preventive_due", "preventive_done"])
            self.assertEqual((contract.preventive_due, contract.preventive_done), (0, 0))

    def test_renewal_generates_the_next_term(self):
        contract = self._preventive_contract(renewal_type="tacit")
        with freeze_time("2026-10-01"):
            contract.action_renew()
        renewal = contract.successor_ids
        self.assertEqual(renewal.state, "active")
        visits = renewal.preventive_intervention_ids
        self.assertEqual(len(visits), 4)
        self.assertEqual(set(visits.mapped("preventive_year_start")), {date(2027, 1, 1)})
        self.assertTrue(all(v.date_planned_start.year == 2027 for v in visits))

    def test_closing_cancels_future_visits_not_started(self):
        contract = self._preventive_contract()
        visits = contract.preventive_intervention_ids.sorted("preventive_index")
        visits[2].employee_ids = self.employee
        with freeze_time("2026-06-01"):
            visits[2].action_start()  # started early: kept
            contract.action_close()
        self.assertEqual(visits.mapped("state"), ["draft", "draft", "in_progress", "cancel"])

    def test_cancelling_cancels_future_visits(self):
        contract = self._preventive_contract()
        with freeze_time("2026-01-02"):
            contract.action_cancel()
        self.assertEqual(set(contract.preventive_intervention_ids.mapped("state")), {"cancel"})

    def _contracts(self, count, offset):
        lots = self.env["stock.lot"].create(
            [
                {
                    "name": f"QRY-{offset + i}",
                    "product_id": self.machine.id,
                    "aftersales_customer_id": self.customer.id,
                }
                for i in range(count)
            ]
        )
        contracts = self.env["aftersales.contract"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "line_ids": [self._fee_line(), self._covered_line(lot, preventive_visits=4)],
                }
                for lot in lots
            ]
        )
        contracts.write({"state": "active"})  # without the activation hook
        self.env.flush_all()
        self.env.invalidate_all()
        return contracts

    @freeze_time("2026-01-01")
    def test_query_count_is_flat(self):
        """A year of visits for 2 or for 10 contracts costs the same queries."""
        self._contracts(1, 50)._generate_preventive_visits()  # warm-up: the sequence's year
        small = self._contracts(2, 0)
        before = self.env.cr.sql_log_count
        self.assertEqual(len(small._generate_preventive_visits()), 8)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        large = self._contracts(10, 100)
        with self.assertQueryCount(queries):
            self.assertEqual(len(large._generate_preventive_visits()), 40)
            self.env.flush_all()
