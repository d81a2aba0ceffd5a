from datetime import date

from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestWarrantyRegistry(AftersalesCase):
    def test_warranty_end_from_delivery_and_product_months(self):
        lot = self._create_lot("AUR-0500", aftersales_delivery_date=date(2025, 11, 30))
        self.assertEqual(lot.aftersales_warranty_end, date(2027, 11, 30))
        self.machine.aftersales_warranty_months = 12
        self.assertEqual(lot.aftersales_warranty_end, date(2026, 11, 30))
        with freeze_time("2026-11-30"):
            lot.invalidate_recordset(["aftersales_under_warranty"])
            self.assertTrue(lot.aftersales_under_warranty)
        with freeze_time("2026-12-01"):
            lot.invalidate_recordset(["aftersales_under_warranty"])
            self.assertFalse(lot.aftersales_under_warranty)
            self.assertNotIn(
                lot, self.env["stock.lot"].search([("aftersales_under_warranty", "=", True)])
            )
            self.assertIn(
                lot, self.env["stock.lot"].search([("aftersales_under_warranty", "=", False)])
            )

    def test_csv_import_of_machines_sold_before(self):
        """Serials sold before the module existed come in through Odoo's import, with their
        customer and warranty dates as the CSV gives them."""
        csv = (
            "name,product_id,aftersales_customer_id,aftersales_delivery_date,"
            "aftersales_warranty_end\n"
            "OLD-0001,Espresso machine Aurora 2GR,Bar Centrale S.r.l.,2023-05-04,2025-05-04\n"
            "OLD-0002,Espresso machine Aurora 2GR,Bar Centrale S.r.l.,2024-09-01,2027-09-01\n"
        )
        importer = self.env["base_import.import"].create(
            {
                "res_model": "stock.lot",
                "file": csv.encode(),
                "file_type": "text/csv",
            }
        )
        fields = [
            "name",
            "product_id",
            "aftersales_customer_id",
            "aftersales_delivery_date",
            "aftersales_warranty_end",
        ]
        result = importer.execute_import(
            fields,
            fields,
            {"quoting": '"', "separator": ",", "has_headers": True, "date_format": "%Y-%m-%d"},
        )
        self.assertFalse(result["messages"], result["messages"])
        lots = self.env["stock.lot"].browse(result["ids"])
        self.assertEqual(lots.mapped("name"), ["OLD-0001", "OLD-0002"])
        self.assertEqual(lots.aftersales_customer_id, self.customer)
        # the CSV's warranty end wins over delivery + product months
        self.assertEqual(
            lots.mapped("aftersales_warranty_end"), [date(2025, 5, 4), date(2027, 9, 1)]
        )

    def test_lot_form_shows_contracts(self):
        lot = self._create_lot("AUR-0600")
        contract = self._create_contract(lines=[self._fee_line(), self._covered_line(lot)])
        self.assertEqual(lot.aftersales_contract_count, 1)
        with Form(lot) as form:
            self.assertEqual(form.aftersales_contract_count, 1)
        action = lot.action_view_aftersales_contracts()
        self.assertEqual(self.env["aftersales.contract"].search(action["domain"]), contract)
        self.assertEqual(contract.action_view_lots()["domain"], [("id", "in", lot.ids)])


@tagged("post_install", "-at_install")
class TestWhatTheCustomerBought(AftersalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stock = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = stock.lot_stock_id
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.lots = cls.env["stock.lot"].create(
            [{"name": f"BOUGHT-{n}", "product_id": cls.machine.id} for n in (1, 2, 3)]
        )
        for lot in cls.lots:
            cls.env["stock.quant"]._update_available_quantity(
                cls.machine, cls.stock_location, 1.0, lot_id=lot
            )
        cls.out_type = stock.out_type_id
        cls.in_type = stock.in_type_id

    @classmethod
    def _move(cls, partner, product, qty, lot=None, returned=False):
        src, dest = cls.stock_location, cls.customer_location
        if returned:
            src, dest = dest, src
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": (cls.in_type if returned else cls.out_type).id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "location_id": src.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": product.id,
                "lot_id": lot.id if lot else False,
                "quantity": qty,
                "location_id": src.id,
                "location_dest_id": dest.id,
            }
        )
        picking.move_ids.picked = True
        picking.button_validate()
        assert picking.state == "done", picking.state
        return picking

    def test_wizard_lists_delivered_and_adds_covered_lines_pro_rata(self):
        self.template.equipment_fee_product_id = self.fee_product
        with freeze_time("2026-01-20"):
            for lot in self.lots:
                self._move(self.customer_contact, self.machine, 1.0, lot)
            self._move(self.customer, self.grinder, 3.0)
            self._move(self.customer_other, self.grinder, 1.0)
            # one machine came back
            self._move(self.customer, self.machine, 1.0, self.lots[2], returned=True)
        # and one was sold before the module existed: it is only in the warranty registry
        old_lot = self._create_lot(
            "OLD-0009",
            aftersales_customer_id=self.customer.id,
            aftersales_delivery_date=date(2023, 4, 1),
        )
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(self.lots[0])], template_id=self.template.id
        )
        with freeze_time("2026-01-02"):
            contract.action_create_invoices()
        with freeze_time("2026-02-15"):
            action = contract.action_add_equipment()
            wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(wizard_form.date_start, date(2026, 2, 15))
            wizard = wizard_form.save()
        items = {(item.product_id, item.lot_id): item.quantity for item in wizard.line_ids}
        self.assertEqual(
            items,
            {
                (self.machine, self.lots[1]): 1.0,
                (self.grinder, self.env["stock.lot"]): 3.0,
                (self.machine, old_lot): 1.0,
            },
            "delivered to the customer's entity, not returned, not yet covered",
        )
        wizard.line_ids.filtered(lambda item: item.lot_id == old_lot).unlink()
        wizard.line_ids.selected = True
        wizard.action_add()
        new_lines = contract.line_ids.filtered(lambda line: line.date_start == date(2026, 2, 15))
        self.assertEqual(len(new_lines), 2)
        self.assertEqual(new_lines.lot_id, self.lots[1])
        self.assertEqual(set(new_lines.mapped("response_hours")), {self.template.response_hours})
        self.assertEqual(new_lines.product_id, self.fee_product)
        with freeze_time("2026-04-01"):
            contract.action_create_invoices()
        q2 = contract.invoice_ids.filtered(lambda m: m.aftersales_period_start == date(2026, 4, 1))
        machine_line = q2.invoice_line_ids.filtered(
            lambda l: l.aftersales_contract_line_id == new_lines.filtered("lot_id")
        )
        # fee of 600 a quarter, from 15 February: 45/90 of Q1 + Q2 = 1.5 quarters
        self.assertEqual(machine_line.price_subtotal, 900.0)

    def test_wizard_without_selection(self):
        contract = self._create_contract()
        wizard = self.env["aftersales.contract.equipment.wizard"].create(
            {"contract_id": contract.id}
        )
        with self.assertRaisesRegex(Exception, "Pick at least one"):
            wizard.action_add()
