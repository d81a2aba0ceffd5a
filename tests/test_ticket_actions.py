from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged, users

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketActions(AftersalesHelpdeskCase):
    """Quotation, material return and lab repair from a ticket, linked both ways and
    priced or flagged from the coverage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.callout = cls.env["product.product"].create(
            {"name": "Call-out fee", "type": "service", "list_price": 80.0}
        )
        cls.labour = cls.env["product.product"].create(
            {"name": "Labour hour", "type": "service", "list_price": 50.0}
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.quarantine = cls.env["stock.location"].create(
            {
                "name": "Repair quarantine",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
            }
        )
        cls.team.write(
            {
                "callout_product_id": cls.callout.id,
                "labour_product_id": cls.labour.id,
                "labour_hours": 2.0,
                "return_location_id": cls.quarantine.id,
            }
        )
        cls.expired = cls._create_lot(
            "AUR-0500",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date="2023-01-01",
        )
        new_test_user(
            cls.env,
            login="as_manager_sales",
            name="Manuela Manager-and-Sales",
            groups="aftersales.group_aftersales_manager,sales_team.group_sale_salesman",
        )

    def _form_buttons(self, user):
        arch = self.env["aftersales.ticket"].with_user(user).get_views([(False, "form")])
        return set(etree.fromstring(arch["views"]["form"]["arch"]).xpath("//button/@name"))

    def test_each_document_shows_to_the_users_of_its_app(self):
        documents = {
            "action_create_quotation",
            "action_view_sale_orders",
            "action_create_return",
            "action_view_pickings",
            "action_create_repair",
            "action_view_repairs",
        }
        self.assertFalse(documents & self._form_buttons(self.user_technician))
        self.assertFalse(documents & self._form_buttons(self.user_manager))
        sales = self.env["res.users"].search([("login", "=", "as_manager_sales")])
        self.assertEqual(
            {"action_create_quotation", "action_view_sale_orders"},
            documents & self._form_buttons(sales),
        )
        stock = new_test_user(
            self.env,
            login="as_technician_stock",
            groups="aftersales.group_aftersales_user,stock.group_stock_user",
        )
        self.assertEqual(
            {"action_create_return", "action_view_pickings", "action_create_repair"}
            | {"action_view_repairs"},
            documents & self._form_buttons(stock),
        )

    @users("as_manager_sales")
    def test_quotation_priced_from_the_contract_line(self):
        self._create_contract(
            lines=[self._covered_line(lot=self.lot, callout_coverage=50.0, labour_coverage=100.0)]
        )
        ticket = self._create_ticket(lot_id=self.lot.id).with_env(self.env)
        action = ticket.action_create_quotation()
        order = ticket.sale_order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.aftersales_ticket_id, ticket)
        self.assertEqual(order.origin, ticket.name)
        lines = {line.product_id: line for line in order.order_line}
        self.assertEqual(lines[self.callout].discount, 50.0)
        self.assertEqual(lines[self.labour].product_uom_qty, 2.0)
        self.assertEqual(lines[self.labour].discount, 100.0)
        self.assertEqual(order.amount_untaxed, 40.0)
        self.assertEqual(ticket.sale_order_count, 1)

    def test_quotation_of_a_billable_call_and_missing_products(self):
        ticket = self._create_ticket(lot_id=self.expired.id)
        self.assertEqual(ticket.coverage_kind, "billable")
        ticket.action_create_quotation()
        self.assertEqual(ticket.sale_order_ids.amount_untaxed, 180.0)
        self.team.write({"callout_product_id": False, "labour_product_id": False})
        with self.assertRaisesRegex(UserError, "call-out fee and labour products"):
            ticket.action_create_quotation()

    def test_material_return_under_warranty_or_chargeable(self):
        ticket = self._create_ticket(lot_id=self.lot.id)
        ticket.action_create_return()
        picking = ticket.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.location_dest_id, self.quarantine)
        self.assertEqual(picking.aftersales_ticket_id, ticket)
        self.assertTrue(picking.aftersales_under_warranty)
        self.assertEqual(picking.move_ids.product_id, self.machine)
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.lot)
        chargeable = self._create_ticket(lot_id=self.expired.id)
        chargeable.action_create_return()
        self.assertFalse(chargeable.picking_ids.aftersales_under_warranty)
        with self.assertRaisesRegex(UserError, "no serial"):
            self._create_ticket().action_create_return()

    def test_lab_repair_under_warranty_from_coverage(self):
        ticket = self._create_ticket(lot_id=self.lot.id)
        ticket.action_create_repair()
        repair = ticket.repair_ids
        self.assertEqual(repair.aftersales_ticket_id, ticket)
        self.assertEqual(repair.lot_id, self.lot)
        self.assertEqual(repair.partner_id, self.customer)
        self.assertTrue(repair.under_warranty)
        chargeable = self._create_ticket(lot_id=self.expired.id)
        chargeable.action_create_repair()
        self.assertFalse(chargeable.repair_ids.under_warranty)
        with self.assertRaises(UserError):
            ticket.unlink()

    def test_plan_intervention_from_the_hook(self):
        ticket = self._create_ticket(lot_id=self.lot.id)
        vals = ticket._prepare_intervention_vals()
        self.assertEqual(vals["ticket_id"], ticket.id)
        self.assertEqual(vals["lot_id"], self.lot.id)
        arch = self.env["aftersales.ticket"].get_view(view_type="form")["arch"]
        buttons = etree.fromstring(arch).xpath("//button[@name='action_plan_intervention']")
        self.assertEqual(len(buttons), 1)
