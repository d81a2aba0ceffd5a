from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionPickup(InterventionStockCase):
    """Serials taken away: an incoming picking to the repair location or a scrap, both
    linked to the intervention and its ticket; a replaced serial hands its contract
    lines and warranty to the new one."""

    def test_pickup_for_repair_makes_a_receipt_of_the_ticket(self):
        intervention = self._intervention(pickup_move_ids=[self._picked(self.lot)])
        intervention.with_user(self.user_technician).action_done()
        receipt = intervention.sudo().picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(receipt.location_id, self.customer_location)
        self.assertEqual(receipt.location_dest_id, self.repair_location)
        self.assertEqual(receipt.state, "assigned", "ready for the lab to receive it")
        self.assertEqual(receipt.move_line_ids.lot_id, self.lot)
        self.assertEqual(receipt.aftersales_ticket_id, self.ticket)
        self.assertIn(receipt, self.ticket.picking_ids)
        lines = intervention._report_material_lines()
        self.assertEqual(lines[0]["lot"], "AUR-0001")
        self.assertEqual(lines[0]["destination"], self.repair_location.display_name)
        # the lab repair goes through the ticket's own action
        action = intervention.action_create_repair()
        repair = self.env["repair.order"].browse(action["res_id"])
        self.assertEqual(repair.aftersales_ticket_id, self.ticket)
        self.assertEqual(repair.lot_id, self.lot)

    def test_scrap_on_site(self):
        intervention = self._intervention(pickup_move_ids=[self._picked(self.lot, "scrap")])
        line = intervention.pickup_move_ids
        intervention.with_user(self.user_technician).action_done()
        scrap = intervention.sudo().scrap_ids
        self.assertEqual(len(scrap), 1)
        self.assertEqual(scrap.state, "done")
        self.assertEqual(scrap.lot_id, self.lot)
        self.assertEqual(scrap.aftersales_ticket_id, self.ticket)
        self.assertEqual(scrap.move_ids, line, "the worksheet line is the scrap's move")
        self.assertEqual(line.state, "done")
        self.assertEqual(line.location_dest_id, scrap.scrap_location_id)
        self.assertFalse(intervention.sudo().picking_ids)

    def test_pickup_of_a_serial_the_customer_does_not_have(self):
        intervention = self._intervention()
        with self.assertRaisesText(ValidationError, "not registered to"):
            intervention.pickup_move_ids = [self._picked(self.lot_other)]
        with self.assertRaisesText(ValidationError, "enter the serial"):
            intervention.pickup_move_ids = [self._picked(self.lot, aftersales_lot_id=False)]
        self.assertFalse(intervention.pickup_move_ids)

    def test_replacement_moves_contract_line_and_warranty(self):
        self.lot.aftersales_warranty_end = date(2027, 6, 1)
        contract = self._create_contract(lines=[self._fee_line(), self._covered_line(self.lot)])
        line = contract.line_ids.filtered("lot_id")
        intervention = self._intervention(
            material_move_ids=[self._used(self.machine, 1.0, self.lot_new)],
            pickup_move_ids=[self._picked(self.lot, aftersales_replacement_lot_id=self.lot_new.id)],
        )
        intervention.with_user(self.user_technician).action_done()
        self.assertEqual(line.lot_id, self.lot_new)
        self.assertEqual(self.lot_new.aftersales_customer_id, self.customer)
        self.assertEqual(self.lot_new.aftersales_delivery_date, date(2025, 6, 1))
        self.assertEqual(self.lot_new.aftersales_warranty_end, date(2027, 6, 1))
        self.assertEqual(self.lot_new.aftersales_replaces_id, self.lot)
        self.assertEqual(self.lot.aftersales_replaced_by_id, self.lot_new)
        self.assertFalse(self.lot.aftersales_customer_id)
        self.assertIn("replaced by AUR-0002", contract.message_ids[0].body)
        self.assertEqual(len(intervention.sudo().picking_ids), 2, "one delivery, one receipt")
        with self.assertRaisesText(ValidationError, "cannot replace itself"):
            self._intervention(
                pickup_move_ids=[
                    self._picked(self.lot_new, aftersales_replacement_lot_id=self.lot_new.id)
                ]
            )

    def test_lab_repair_needs_a_ticket(self):
        intervention = self._intervention(ticket_id=False)
        with self.assertRaises(UserError):
            intervention.action_create_repair()
