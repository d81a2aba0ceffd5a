from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common.intervention_stock import InterventionStockCase

FINISH_STEPS = (
    "_finish_check",
    "_finish_stop_timers",
    "_finish_close",
    "_finish_write_records",
    "_finish_compute_charges",
    "_finish_notify",
)


@tagged("post_install", "-at_install")
class TestInterventionFinish(InterventionStockCase):
    """Finishing is one pipeline of named steps, whatever order the concerns' files are
    imported in: check, stop the timers, close, write the standard records, compute the
    charges, notify."""

    def test_steps_are_named_in_one_place(self):
        Intervention = self.registry["aftersales.intervention"]
        self.assertEqual(Intervention._finish_steps, FINISH_STEPS)
        # No concern overrides the pipeline itself: only its steps. So the order of the
        # classes in the MRO (the import order) cannot reorder what finishing does.
        owners = [
            cls
            for cls in Intervention.__mro__
            if "_action_done" in vars(cls) and cls.__module__.startswith("odoo.addons.aftersales")
        ]
        self.assertEqual(len(owners), 1, "one class defines _action_done: the pipeline")
        for step in FINISH_STEPS:
            self.assertTrue(callable(getattr(Intervention, step)), step)

    def test_steps_run_once_in_their_order(self):
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 2.0)])
        calls = []
        Intervention = type(intervention)
        originals = {step: getattr(Intervention, step) for step in FINISH_STEPS}

        def recorder(step):
            def record(records):
                calls.append(step)
                return originals[step](records)

            return record

        patches = [patch.object(Intervention, step, recorder(step)) for step in FINISH_STEPS]
        for p in patches:
            p.start()
        try:
            intervention.action_done()
        finally:
            for p in patches:
                p.stop()
        self.assertEqual(tuple(calls), FINISH_STEPS)

    def test_each_step_sees_the_previous_ones(self):
        """What a step needs was written by the step before it: the charges price the
        delivery validated by the records step, the records see a done intervention,
        and a refused check leaves nothing written."""
        intervention = self._intervention(material_move_ids=[self._used(self.gasket, 4.0)])
        intervention.with_user(self.employee.user_id).action_start_work()
        intervention.action_done()
        self.assertEqual(intervention.state, "done")
        self.assertFalse(intervention.time_ids.filtered("is_running"), "timers stopped")
        delivery = intervention.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(delivery.state, "done")
        material = intervention.charge_ids.filtered(lambda c: c.kind == "material")
        self.assertEqual(material.quantity, 4.0)
        self.assertAlmostEqual(material.cost, intervention.material_move_ids.value)
        # the call's followers read it on the ticket
        self.assertIn(
            intervention.name,
            self.ticket.message_ids.filtered(lambda m: m.subtype_id.internal)[:1].body,
        )

    def test_refused_check_writes_nothing(self):
        self.team.signature_required = True
        intervention = self._intervention(
            ticket_id=False, team_id=self.team.id, material_move_ids=[self._used(self.gasket)]
        )
        intervention.with_user(self.employee.user_id).action_start_work()
        with self.assertRaisesRegex(UserError, "signature"):
            intervention.action_done()
        self.assertEqual(intervention.state, "in_progress")
        self.assertTrue(intervention.time_ids.filtered("is_running"), "the timer still runs")
        self.assertFalse(intervention.picking_ids)
        self.assertFalse(intervention.charge_ids)
