from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common.intervention import AftersalesInterventionCase


@tagged("post_install", "-at_install")
class TestInterventionExecuted(AftersalesInterventionCase):
    """Planned against executed, grouped as the pivot does: per technician, per contract,
    preventive visits due against done in the contract year."""

    def _visit(self, employee, planned, actual, **vals):
        intervention = self._create_intervention(
            employee,
            date_planned_start=planned[0],
            date_planned_end=planned[1],
            **vals,
        )
        intervention.action_plan()
        with freeze_time(actual[0]):
            intervention.action_start()
        self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": intervention.id,
                "employee_id": employee.id,
                "date_start": actual[0],
                "date_end": actual[1],
            }
        )
        with freeze_time(actual[1]):
            intervention.action_done()
        return intervention

    def test_planned_against_actual_per_technician(self):
        # Tina: planned 2 h, worked 3 h, started 30 min late
        late = self._visit(
            self.employee,
            (datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 9, 0)),
            (datetime(2026, 6, 3, 7, 30), datetime(2026, 6, 3, 10, 30)),
        )
        self.assertAlmostEqual(late.start_delay, 0.5)
        self.assertAlmostEqual(late.actual_duration, 3.0)
        self.assertAlmostEqual(late.hours_variance, 1.0)
        # Teo: planned 4 h, worked 3 h 15
        self._visit(
            self.employee_2,
            (datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 11, 0)),
            (datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 10, 15)),
        )
        groups = self.env["aftersales.intervention"]._read_group(
            [("state", "=", "done")],
            ["employee_ids"],
            ["planned_hours:sum", "actual_hours:sum", "hours_variance:sum"],
        )
        result = {employee: (p, a, round(v, 2)) for employee, p, a, v in groups}
        self.assertEqual(
            result,
            {self.employee: (2.0, 3.0, 1.0), self.employee_2: (4.0, 3.25, -0.75)},
        )

    def test_preventive_due_against_done_per_contract_year(self):
        self.company.resource_calendar_id = self.calendar_rome
        lot = self._create_lot("PVE-1", aftersales_customer_id=self.customer.id)
        with freeze_time("2026-01-01"):
            contract = self._create_contract(
                lines=[self._fee_line(), self._covered_line(lot, preventive_visits=3)]
            )
        visits = contract.preventive_intervention_ids.sorted("preventive_index")
        visits[0].employee_ids = self.employee
        visits[0].action_start()
        visits[0].action_done()
        visits[2].action_cancel()
        groups = self.env["aftersales.intervention"]._read_group(
            [("preventive_contract_id", "=", contract.id)],
            ["preventive_contract_id", "preventive_year_start:year"],
            ["preventive_due:sum", "preventive_done:sum"],
        )
        self.assertEqual(
            [(c, y.date() if hasattr(y, "date") else y, due, done) for c, y, due, done in groups],
            [(contract, date(2026, 1, 1), 2, 1)],
        )
