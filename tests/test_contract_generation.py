from datetime import date

from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractGeneration(AftersalesCase):
    """Contracts made from sale orders, deliveries and invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.lots = cls.env["stock.lot"].create(
            [{"name": f"AUR-{n:04d}", "product_id": cls.machine.id} for n in (1, 2)]
        )
        for lot in cls.lots:
            cls.env["stock.quant"]._update_available_quantity(
                cls.machine, cls.stock_location, 1.0, lot_id=lot
            )

    def _sale_order(self, fee_qty=1.0, machines=2.0, discount=10.0, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.machine.id, "product_uom_qty": machines}
                        ),
                        Command.create(
                            {
                                "product_id": self.fee_product.id,
                                "product_uom_qty": fee_qty,
                                "price_unit": 480.0,
                                "discount": discount,
                            }
                        ),
                    ],
                }
            )
        )

    def _deliver(self, order, user=None):
        """Validate the order's delivery of the serials reserved from stock."""
        picking = order.picking_ids.with_user(user or self.env.user)
        picking.action_assign()
        self.assertEqual(set(picking.move_line_ids.lot_id.ids), set(self.lots.ids))
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    @freeze_time("2026-03-10")
    def test_sale_order_makes_contract_billing_every_period(self):
        order = self._sale_order()
        order.action_confirm()
        contract = order.aftersales_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "active", "the template makes active contracts")
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.date_start, date(2026, 3, 10))
        self.assertEqual(contract.date_end, date(2027, 3, 9))
        self.assertEqual(contract.billing_period, "quarterly")
        fee = contract.line_ids.filtered("product_id")
        self.assertEqual(
            (fee.price_unit, fee.discount, fee.quantity, fee.tax_ids),
            (
                480.0,
                10.0,
                1.0,
                order.order_line.filtered("product_id.aftersales_contract_template_id").tax_ids,
            ),
        )
        self.assertEqual(fee.sale_line_id.order_id, order)
        machines = contract.line_ids.filtered("equipment_product_id")
        self.assertEqual(len(machines), 2, "one covered line per serial-tracked unit")
        self.assertEqual(machines.mapped("response_hours"), [8.0, 8.0])
        # the order does not invoice the fee: the contract bills every period
        fee_sol = order.order_line.filtered("product_id.aftersales_contract_template_id")
        self.assertTrue(fee_sol.aftersales_billed_by_contract)
        self.assertEqual(fee_sol.qty_to_invoice, 0.0)
        self.assertEqual(contract.next_period_start, date(2026, 3, 10))
        contract.action_create_invoices()
        self.assertEqual(contract.invoice_ids.amount_untaxed, 432.0)

    @freeze_time("2026-03-10")
    def test_sale_order_bills_first_period(self):
        self.template.first_period_billing = "sale_order"
        order = self._sale_order()
        order.action_confirm()
        contract = order.aftersales_contract_ids
        fee_sol = order.order_line.filtered("product_id.aftersales_contract_template_id")
        self.assertFalse(fee_sol.aftersales_billed_by_contract)
        self.assertEqual(fee_sol.qty_to_invoice, 1.0)
        self.assertEqual(contract.next_period_start, date(2026, 6, 10))
        self.assertEqual(
            contract.line_ids.filtered("product_id").date_last_invoiced, date(2026, 6, 9)
        )
        with self.assertRaisesRegex(Exception, "Nothing is due"):
            contract.action_create_invoices()
        order._create_invoices()
        with freeze_time("2026-06-10"):
            contract.action_create_invoices()
        # the fee was billed once by the order (first quarter), once by the contract (second)
        self.assertEqual(len(contract.invoice_ids), 1)
        self.assertEqual(contract.invoice_ids.aftersales_period_start, date(2026, 6, 10))

    @freeze_time("2026-03-10")
    def test_draft_proposal_from_template(self):
        self.template.generated_state = "draft"
        order = self._sale_order()
        order.action_confirm()
        self.assertEqual(order.aftersales_contract_ids.state, "draft")
        self.assertEqual(order.aftersales_contract_count, 1)

    @freeze_time("2026-03-10")
    def test_delivery_records_warranty_and_attaches_serials(self):
        order = self._sale_order()
        order.action_confirm()
        contract = order.aftersales_contract_ids
        with freeze_time("2026-03-12 10:00:00"):
            self._deliver(order)
        self.assertEqual(set(contract.line_ids.lot_id.ids), set(self.lots.ids))
        for lot in self.lots:
            self.assertEqual(lot.aftersales_customer_id, self.customer)
            self.assertEqual(lot.aftersales_delivery_date, date(2026, 3, 12))
            self.assertEqual(lot.aftersales_warranty_end, date(2028, 3, 12))
            self.assertEqual(lot.aftersales_contract_count, 1)
        self.assertEqual(contract.lot_count, 2)
        action = self.lots[0].action_view_aftersales_contracts()
        self.assertEqual(self.env["aftersales.contract"].search(action["domain"]), contract)

    @freeze_time("2026-03-10")
    def test_salesperson_confirms_and_storekeeper_delivers(self):
        """A salesperson and a storekeeper, each with only their own app's rights, sell
        and deliver; each step is a request of its own, with nothing left in the cache
        by the one before."""
        order = self._sale_order(user=self.user_salesperson)
        self.env.invalidate_all()
        order.with_user(self.user_salesperson).read()  # every field the salesperson may read
        order.with_user(self.user_salesperson).action_confirm()
        self.env.invalidate_all()
        self._deliver(order, user=self.user_storekeeper)
        self.env.invalidate_all()
        contract = order.with_env(self.env).aftersales_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.user_id, self.user_salesperson, "the order's salesperson")
        self.assertEqual(set(contract.line_ids.lot_id.ids), set(self.lots.ids))
        self.assertEqual(self.lots.aftersales_customer_id, self.customer)
        self.assertEqual(self.lots.mapped("aftersales_delivery_date"), [date(2026, 3, 10)] * 2)
        self.lots.with_user(self.user_storekeeper).read()

    @freeze_time("2026-04-15")
    def test_posted_invoice_without_order_makes_contract(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 4, 15),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.fee_product.id, "price_unit": 500.0, "quantity": 1.0}
                    ),
                    Command.create({"product_id": self.grinder.id, "price_unit": 800.0}),
                ],
            }
        )
        invoice.action_post()
        contract = self.env["aftersales.contract"].search([("source_invoice_id", "=", invoice.id)])
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.date_start, date(2026, 4, 15))
        self.assertEqual(contract.line_ids.filtered("product_id").price_unit, 500.0)
        self.assertEqual(contract.line_ids.equipment_product_id, self.grinder)
        # the invoice billed the first quarter
        self.assertEqual(contract.next_period_start, date(2026, 7, 15))
        # posting again (reset and repost) does not make a second contract
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(
            self.env["aftersales.contract"].search_count([("source_invoice_id", "=", invoice.id)]),
            1,
        )
        # the contract's own invoices never make contracts
        with freeze_time("2026-07-15"):
            contract.action_create_invoices()
            contract.invoice_ids.action_post()
        self.assertEqual(
            self.env["aftersales.contract"].search_count([("partner_id", "=", self.customer.id)]), 1
        )

    @freeze_time("2026-04-15")
    def test_invoice_from_sale_order_makes_no_second_contract(self):
        self.template.first_period_billing = "sale_order"
        order = self._sale_order()
        order.action_confirm()
        order._create_invoices().action_post()
        self.assertEqual(
            self.env["aftersales.contract"].search_count([("partner_id", "=", self.customer.id)]), 1
        )

    @freeze_time("2026-03-10")
    def test_hour_bank_sold_on_an_order(self):
        hour_template = self.env["aftersales.contract.template"].create(
            {
                "name": "Hour bank 20 h",
                "contract_kind": "hour_bank",
                "hour_bank_hours": 20.0,
                "generated_state": "active",
                "first_period_billing": "sale_order",
                "billing_period": "annual",
                "renewal_type": "none",
            }
        )
        hours = self.env["product.product"].create(
            {
                "name": "Hour bank 20 h",
                "type": "service",
                "list_price": 1100.0,
                "aftersales_contract_template_id": hour_template.id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": hours.id, "product_uom_qty": 2.0})],
            }
        )
        order.action_confirm()
        contract = order.aftersales_contract_ids
        self.assertEqual(contract.contract_kind, "hour_bank")
        self.assertEqual(contract.hour_bank_hours, 40.0)
        self.assertEqual(contract.hour_bank_remaining, 40.0)
        self.assertIn(
            contract,
            self.env["aftersales.contract"].search(
                self.env["aftersales.contract"]._hour_bank_domain(
                    self.customer_contact, date(2026, 5, 1)
                )
            ),
        )
