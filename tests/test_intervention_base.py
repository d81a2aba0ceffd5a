from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestInterventionBase(AftersalesCase):
    """An intervention planned from a ticket: prefilled from the ticket, same coverage,
    and the state machine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Tina Technician", "user_id": cls.user_technician.id}
        )
        cls.lot = cls.env["stock.lot"].create(
            {
                "name": "GX-INT-001",
                "product_id": cls.machine.id,
                "aftersales_customer_id": cls.customer.id,
                "aftersales_warranty_end": datetime(2030, 1, 1).date(),
            }
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {
                "subject": "Pump noisy",
                "partner_id": cls.customer.id,
                "lot_id": cls.lot.id,
                "user_id": cls.user_technician.id,
            }
        )

    def test_plan_from_ticket_prefills_and_shares_coverage(self):
        self.assertEqual(self.ticket.coverage_kind, "warranty")
        self.ticket.action_plan_intervention()
        intervention = self.ticket.intervention_ids
        self.assertEqual(len(intervention), 1)
        self.assertEqual(intervention.partner_id, self.customer)
        self.assertEqual(intervention.lot_id, self.lot)
        self.assertEqual(intervention.lot_ids, self.lot)
        self.assertEqual(intervention.product_id, self.machine)
        self.assertEqual(intervention.employee_ids, self.employee)
        self.assertEqual(intervention.user_ids, self.user_technician)
        self.assertEqual(intervention.summary, "Pump noisy")
        self.assertEqual(intervention.coverage_kind, "warranty")
        self.assertTrue(intervention.name.startswith("INT/"))
        self.assertEqual(self.ticket.intervention_count, 1)
        # a manager's override on the ticket carries over to its intervention
        self.ticket.coverage_override = "billable"
        self.assertEqual(intervention.coverage_kind, "billable")

    def test_state_machine(self):
        intervention = self.env["aftersales.intervention"].create(
            {"summary": "Visit", "partner_id": self.customer.id}
        )
        with self.assertRaises(UserError):
            intervention.action_plan()  # no dates, nobody
        intervention.write(
            {
                "employee_ids": [(6, 0, self.employee.ids)],
                "date_planned_start": datetime(2026, 3, 2, 9, 0),
                "date_planned_end": datetime(2026, 3, 2, 11, 0),
            }
        )
        intervention.action_plan()
        self.assertEqual(intervention.state, "planned")
        self.assertEqual(intervention.planned_hours, 2.0)
        with self.assertRaises(UserError):
            intervention.action_done()
        intervention.action_start()
        self.assertTrue(intervention.date_start)
        intervention.action_done()
        self.assertEqual(intervention.state, "done")
        self.assertTrue(intervention.date_end)
        # a done intervention is taken back by a manager's Cancel only (hours given back,
        # invoices credited: tests/test_intervention_unlink.py)
        with self.assertRaises(AccessError):
            intervention.with_user(self.user_technician).action_cancel()
        self.assertEqual(intervention.state, "done")

    def test_form_as_technician(self):
        form = Form(self.env["aftersales.intervention"].with_user(self.user_technician))
        form.summary = "Descaling"
        form.partner_id = self.customer
        form.lot_id = self.lot
        intervention = form.save()
        self.assertEqual(intervention.coverage_kind, "warranty")
        self.assertEqual(intervention.site_partner_id, self.customer)
