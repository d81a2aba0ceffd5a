from datetime import date, datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common.intervention import AftersalesInterventionCase
from .common.web_client import WebClient


@tagged("post_install", "-at_install")
class TestInterventionExpense(AftersalesInterventionCase):
    """Technicians' expense notes linked to an intervention: one charge line each,
    priced per the product's re-invoice policy, always counted in the cost; who may link
    what; the contract's analytic distribution; never re-invoiced twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_purchase_22 = cls.env["account.tax"].create(
            {"name": "IVA 22% acquisti (test)", "amount": 22.0, "type_tax_use": "purchase"}
        )
        expense_product = {
            "type": "service",
            "can_be_expensed": True,
            "sale_ok": True,
            "supplier_taxes_id": [Command.clear()],
        }
        cls.parking = cls.env["product.product"].create(
            {**expense_product, "name": "Parcheggio", "expense_policy": "cost"}
        )
        cls.toll = cls.env["product.product"].create(
            {
                **expense_product,
                "name": "Pedaggio",
                "expense_policy": "cost",
                "supplier_taxes_id": [Command.set(cls.tax_purchase_22.ids)],
            }
        )
        cls.cleaning_kit = cls.env["product.product"].create(
            {
                **expense_product,
                "name": "Kit pulizia gruppo",
                "expense_policy": "sales_price",
                "list_price": 15.0,
                "standard_price": 9.0,
            }
        )
        cls.meal = cls.env["product.product"].create(
            {**expense_product, "name": "Pranzo trasferta", "expense_policy": "no"}
        )
        cls.intervention = cls._create_intervention(
            date_planned_start=datetime(2026, 6, 3, 7, 0),
            date_planned_end=datetime(2026, 6, 3, 9, 0),
        )
        cls.intervention.action_plan()

    def _expense(self, product, total=None, employee=None, user=None, **vals):
        values = {
            "name": product.name,
            "product_id": product.id,
            "employee_id": (employee or self.employee).id,
            "date": date(2026, 6, 3),
            **vals,
        }
        if total is not None:
            values["total_amount_currency"] = total
        env = self.env(user=user) if user else self.env
        return env["hr.expense"].create(values)

    def _charge(self, expense):
        vals_list = self.intervention._prepare_expense_charge_vals_list()
        return next(vals for vals in vals_list if vals["expense_id"] == expense.id)

    # ------------------------------------------------------------------
    # Prices and costs, by hand
    # ------------------------------------------------------------------
    def test_at_cost_reinvoices_the_untaxed_amount(self):
        parking = self._expense(
            self.parking, 23.50, aftersales_intervention_id=self.intervention.id
        )
        # 12.20 paid, 22% VAT included: 12.20 / 1.22 = 10.00 untaxed, the cost and the price
        toll = self._expense(self.toll, 12.20, aftersales_intervention_id=self.intervention.id)
        self.assertEqual(toll.untaxed_amount, 10.0)
        vals = self._charge(parking)
        self.assertEqual(vals["kind"], "expense")
        self.assertEqual(vals["product_id"], self.parking.id)
        self.assertEqual((vals["quantity"], vals["price_unit"], vals["cost"]), (1.0, 23.50, 23.50))
        vals = self._charge(toll)
        self.assertEqual((vals["quantity"], vals["price_unit"], vals["cost"]), (1.0, 10.0, 10.0))

    def test_at_cost_keeps_the_quantity_only_when_exact(self):
        # 2 x 3.25 = 6.50 exactly: kept; 3 units for 10.00 would be 3 x 3.33 = 9.99: 1 x 10.00
        two = self._expense(
            self.parking, 6.50, quantity=2, aftersales_intervention_id=self.intervention.id
        )
        three = self._expense(
            self.parking, 10.0, quantity=3, aftersales_intervention_id=self.intervention.id
        )
        self.assertEqual(
            (self._charge(two)["quantity"], self._charge(two)["price_unit"]), (2.0, 3.25)
        )
        self.assertEqual(
            (self._charge(three)["quantity"], self._charge(three)["price_unit"]), (1.0, 10.0)
        )

    def test_sales_price_and_no_policy(self):
        # 2 kits at their cost of 9.00 = 18.00 spent; billed at the sales price 2 x 15.00
        kits = self._expense(
            self.cleaning_kit, quantity=2, aftersales_intervention_id=self.intervention.id
        )
        self.assertEqual(kits.total_amount, 18.0)
        vals = self._charge(kits)
        self.assertEqual((vals["quantity"], vals["price_unit"], vals["cost"]), (2.0, 15.0, 18.0))
        # a meal is not re-invoiced: billed 0, its 14.00 still in the cost
        meal = self._expense(self.meal, 14.0, aftersales_intervention_id=self.intervention.id)
        vals = self._charge(meal)
        self.assertEqual((vals["price_unit"], vals["cost"]), (0.0, 14.0))

    def test_sales_price_follows_the_customer_pricelist(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Bar -10%",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.cleaning_kit.id,
                            "compute_price": "percentage",
                            "percent_price": 10.0,
                        }
                    )
                ],
            }
        )
        self.customer.property_product_pricelist = pricelist
        kits = self._expense(
            self.cleaning_kit, quantity=2, aftersales_intervention_id=self.intervention.id
        )
        # 15.00 - 10% = 13.50 a kit
        self.assertEqual(self._charge(kits)["price_unit"], 13.5)

    def test_charge_lines_carry_the_cost_into_the_intervention(self):
        self._expense(self.parking, 23.50, aftersales_intervention_id=self.intervention.id)
        self._expense(
            self.cleaning_kit, quantity=2, aftersales_intervention_id=self.intervention.id
        )
        self._expense(self.meal, 14.0, aftersales_intervention_id=self.intervention.id)
        refused = self._expense(self.parking, 99.0, aftersales_intervention_id=self.intervention.id)
        refused.action_submit()
        refused._do_refuse("Not for this visit")
        self.assertEqual(refused.state, "refused")
        vals_list = self.intervention._prepare_charge_vals_list()
        self.assertEqual(len(vals_list), 3, "one line per expense, the refused one left out")
        charges = self.env["aftersales.intervention.charge"].create(vals_list)
        self.assertEqual(set(charges.mapped("kind")), {"expense"})
        # billed 23.50 + 2 x 15.00 + 0 = 53.50; cost 23.50 + 2 x 9.00 + 14.00 = 55.50
        self.assertEqual(sum(charges.mapped("amount")), 53.50)
        self.assertEqual(self.intervention.cost_expenses, 55.50)
        self.assertEqual(self.intervention.cost_total, 55.50)
        # fully covered: nothing for the customer, the cost stays
        charges.write({"coverage_kind": "contract", "coverage_percent": 100.0})
        self.assertEqual(sum(charges.mapped("customer_amount")), 0.0)
        self.assertEqual(self.intervention.cost_expenses, 55.50)
        # the expense deleted: the line stays, unlinked, for the manager to see
        charge = charges.filtered(lambda c: c.expense_id.state == "draft")[:1]
        expense = charge.expense_id
        expense.unlink()
        self.assertFalse(charge.expense_id)

    # ------------------------------------------------------------------
    # Who links what
    # ------------------------------------------------------------------
    def test_technician_links_own_expense_on_the_form(self):
        technician = self.env(user=self.user_technician)
        with Form(technician["hr.expense"]) as form:
            form.product_id = self.parking
            form.name = "Parcheggio Milano Centro"
            form.total_amount_currency = 6.50
            form.aftersales_intervention_id = self.intervention
        expense = form.record
        self.assertEqual(expense.employee_id, self.employee)
        self.assertEqual(expense.aftersales_intervention_id, self.intervention)
        self.assertEqual(self.intervention.with_user(self.user_technician).expense_count, 1)
        self.assertEqual(self._charge(expense)["price_unit"], 6.50)

    def test_technician_opens_the_intervention_and_its_expenses(self):
        """A bare technician (After-Sales/User, an employee) opens the form, presses the
        Expenses button and opens the list and form it shows."""
        self._expense(
            self.parking,
            6.50,
            user=self.user_technician,
            aftersales_intervention_id=self.intervention.id,
        )
        for user in (self.user_technician, self.user_manager):
            client = WebClient(self.env(user=user))
            with self.subTest(user=user.login):
                client.open_form(self.intervention)
                read = {(model, mode) for model, mode, ids in client.read if ids}
                if user == self.user_technician:
                    # their own expense, in the list and the form the button opens
                    self.assertLessEqual({("hr.expense", "list"), ("hr.expense", "form")}, read)

    def test_technician_cannot_file_or_link_anothers_expense(self):
        other = self._expense(self.parking, 5.0, employee=self.employee_2)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self._expense(self.parking, 5.0, employee=self.employee_2, user=self.user_technician)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            other.with_user(self.user_technician).aftersales_intervention_id = self.intervention
            self.env.flush_all()

    def test_expense_of_an_employee_not_technician_is_refused(self):
        """The rule: the expense's employee is one of the intervention's technicians
        (``employee_ids``) when the link is set or the employee changes."""
        other = self._expense(self.parking, 5.0, employee=self.employee_2)
        with (
            self.assertRaisesRegex(ValidationError, "not a technician of intervention"),
            self.env.cr.savepoint(),
        ):
            other.aftersales_intervention_id = self.intervention
            self.env.flush_all()
        other.invalidate_recordset()
        self.assertFalse(other.aftersales_intervention_id)
        # once a technician of the intervention, the link is allowed
        self.intervention.employee_ids = [Command.link(self.employee_2.id)]
        other.aftersales_intervention_id = self.intervention
        # and changing the employee of a linked expense is checked too
        with (
            self.assertRaisesRegex(ValidationError, "not a technician of intervention"),
            self.env.cr.savepoint(),
        ):
            other.employee_id = self.employee_other
            self.env.flush_all()

    def test_expense_of_another_company_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "belongs to company Other Company B"):
            self._expense(
                self.parking,
                5.0,
                employee=self.employee_b,
                company_id=self.company_b.id,
                aftersales_intervention_id=self.intervention.id,
            )

    # ------------------------------------------------------------------
    # Analytic distribution and a single re-invoice path
    # ------------------------------------------------------------------
    def test_expense_gets_the_contract_distribution_unless_set(self):
        plan = self.env["account.analytic.plan"].create({"name": "Service contracts"})
        account, own, other = self.env["account.analytic.account"].create(
            [
                {"name": "CT Bar Centrale", "plan_id": plan.id},
                {"name": "Marketing", "plan_id": plan.id},
                {"name": "CT Dolce Vita", "plan_id": plan.id},
            ]
        )
        contract = self._create_contract(analytic_distribution={str(account.id): 100})
        self.intervention.contract_id = contract
        linked = self._expense(self.parking, 6.50, aftersales_intervention_id=self.intervention.id)
        self.assertEqual(linked.analytic_distribution, {str(account.id): 100})
        chosen = self._expense(
            self.parking,
            6.50,
            aftersales_intervention_id=self.intervention.id,
            analytic_distribution={str(own.id): 100},
        )
        self.assertEqual(chosen.analytic_distribution, {str(own.id): 100})
        later = self._expense(self.parking, 6.50)
        self.assertFalse(later.analytic_distribution)
        later.aftersales_intervention_id = self.intervention
        self.assertEqual(later.analytic_distribution, {str(account.id): 100})
        # moved to an intervention of another contract: the distribution follows
        contract_other = self._create_contract(
            partner_id=self.customer_other.id, analytic_distribution={str(other.id): 100}
        )
        visit = self._create_intervention(
            partner_id=self.customer_other.id, contract_id=contract_other.id
        )
        later.aftersales_intervention_id = visit
        self.assertEqual(later.analytic_distribution, {str(other.id): 100})
        # the user's own choice is kept on a move too
        chosen.aftersales_intervention_id = visit
        self.assertEqual(chosen.analytic_distribution, {str(own.id): 100})

    def _confirmed_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.fee_product.id})],
            }
        )
        order.action_confirm()
        return order

    def _post(self, expenses):
        expenses.action_submit()
        expenses.action_approve()
        action = expenses.action_post()
        wizard = self.env["hr.expense.post.wizard"].with_context(**action["context"])
        wizard.browse(action["res_id"]).action_post_entry()
        self.assertEqual(set(expenses.mapped("state")), {"posted"})

    def test_expense_reinvoiced_on_an_order_cannot_be_linked(self):
        """With ``sale_expense`` (auto-installed with Sales and Expenses), an expense
        with a "Customer to Reinvoice" order is re-invoiced on it when posted; linked to
        an intervention too, the customer would pay it twice: refused both ways."""
        if "sale_order_id" not in self.env["hr.expense"]._fields:
            self.skipTest("sale_expense is not installed")
        order = self._confirmed_order()
        on_order = self._expense(self.parking, 23.50, sale_order_id=order.id)
        with (
            self.assertRaisesRegex(ValidationError, "the customer would pay it twice"),
            self.env.cr.savepoint(),
        ):
            on_order.aftersales_intervention_id = self.intervention
            self.env.flush_all()
        linked = self._expense(self.parking, 23.50, aftersales_intervention_id=self.intervention.id)
        with (
            self.assertRaisesRegex(ValidationError, "the customer would pay it twice"),
            self.env.cr.savepoint(),
        ):
            linked.sale_order_id = order
            self.env.flush_all()
        with (
            self.assertRaisesRegex(ValidationError, "the customer would pay it twice"),
            self.env.cr.savepoint(),
        ):
            self._expense(
                self.parking,
                5.0,
                sale_order_id=order.id,
                aftersales_intervention_id=self.intervention.id,
            )

    def test_posted_expense_is_reinvoiced_once(self):
        """Posting an expense makes Odoo look for a sale order to re-invoice it on, from
        its journal items (``_sale_can_be_reinvoice``, then ``_sale_determine_order``:
        the expense's order, or a project's order found from the analytic
        distribution). A linked expense's items are never candidates: its charge line
        re-invoices it, once; an expense on an order is re-invoiced there by Odoo."""
        plan = self.env["account.analytic.plan"].create({"name": "Service contracts"})
        account = self.env["account.analytic.account"].create(
            {"name": "CT Bar Centrale", "plan_id": plan.id}
        )
        self.intervention.contract_id = self._create_contract(
            analytic_distribution={str(account.id): 100}
        )
        linked = self._expense(self.parking, 23.50, aftersales_intervention_id=self.intervention.id)
        expenses = linked
        if "sale_order_id" in linked._fields:
            order = self._confirmed_order()
            expenses |= self._expense(self.parking, 8.0, sale_order_id=order.id)
        self._post(expenses)
        items = expenses.account_move_id.line_ids.filtered(lambda l: l.display_type == "product")
        linked_item = items.filtered(lambda l: l.expense_id == linked)
        self.assertEqual(linked_item.analytic_distribution, {str(account.id): 100})
        self.assertFalse(linked_item._sale_can_be_reinvoice())
        reinvoiced = self.env["sale.order.line"].search([("is_expense", "=", True)])
        if "sale_order_id" in linked._fields:
            # Odoo's own flow, unchanged: the other expense, on its order, at cost
            self.assertEqual(reinvoiced.order_id, order)
            self.assertEqual(reinvoiced.price_unit, 8.0)
            self.assertTrue((items - linked_item)._sale_can_be_reinvoice())
        else:
            self.assertFalse(reinvoiced)
        # the posted expense is charged with the intervention, at cost
        self.assertEqual(self._charge(linked)["price_unit"], 23.50)
