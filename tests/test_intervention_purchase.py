from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common.intervention_stock import InterventionStockCase


@tagged("post_install", "-at_install")
class TestInterventionPurchase(InterventionStockCase):
    """A subcontracted intervention is bought on a purchase order with the contract's
    analytic distribution; the vendor's materials are marked as the vendor's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Assistenza Rapida S.n.c."})
        cls.service = cls.env["product.product"].create(
            {"name": "Subcontracted service call", "type": "service", "purchase_ok": True}
        )
        cls.plan = cls.env["account.analytic.plan"].create({"name": "Contracts"})
        cls.analytic = cls.env["account.analytic.account"].create(
            {"name": "CT Bar Centrale", "plan_id": cls.plan.id}
        )

    def _subcontracted(self, **vals):
        return self.env["aftersales.intervention"].create(
            {
                "summary": "Descaling by the partner",
                "partner_id": self.customer.id,
                "subcontractor_id": self.vendor.id,
                "subcontract_amount": 180.0,
                "date_planned_start": datetime(2026, 3, 2, 9),
                "date_planned_end": datetime(2026, 3, 2, 12),
                **vals,
            }
        )

    def test_planning_buys_the_service(self):
        self.company.aftersales_subcontract_product_id = self.service
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(self.lot)],
            analytic_distribution={str(self.analytic.id): 100},
        )
        intervention = self._subcontracted(lot_id=self.lot.id)
        self.assertEqual(intervention.contract_id, contract)
        intervention.with_user(self.user_manager).action_plan()
        order = intervention.purchase_order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.partner_id, self.vendor)
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.aftersales_intervention_id, intervention)
        self.assertEqual(order.order_line.product_id, self.service)
        self.assertEqual(order.amount_untaxed, 180.0)
        self.assertEqual(order.order_line.analytic_distribution, {str(self.analytic.id): 100})
        self.assertEqual(intervention.purchase_order_count, 1)
        # planning again after a reset does not buy twice
        intervention.action_draft()
        intervention.action_plan()
        self.assertEqual(len(intervention.purchase_order_ids), 1)

    def test_no_service_product(self):
        intervention = self._subcontracted()
        with self.assertRaisesText(UserError, "subcontracted service product"):
            intervention.action_plan()
        self.assertEqual(intervention.state, "draft")
        self.assertFalse(intervention.purchase_order_ids)

    def test_vendor_materials_do_not_leave_the_van(self):
        self.company.aftersales_subcontract_product_id = self.service
        intervention = self._subcontracted(employee_ids=[(6, 0, self.employee.ids)])
        intervention.action_plan()
        intervention.action_start()
        intervention.material_move_ids = [
            self._used(self.gasket, 20.0, aftersales_vendor_id=self.vendor.id),
            self._used(self.gasket, 1.0),
        ]
        vendor_line = intervention.material_move_ids.filtered("aftersales_vendor_id")
        self.assertEqual(vendor_line.location_id, self.env.ref("stock.stock_location_suppliers"))
        intervention.action_done()
        self.assertEqual(len(intervention.picking_ids), 1)
        self.assertEqual(vendor_line.state, "done")
        self.assertEqual(self._van_qty(self.gasket), 9.0, "only our own gasket left the van")
        lines = intervention._report_material_lines()
        self.assertEqual([ln["vendor"] for ln in lines], [self.vendor.display_name, ""])
