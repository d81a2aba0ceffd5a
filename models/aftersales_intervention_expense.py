from odoo import fields, models
from odoo.tools import float_compare, float_is_zero

# Expenses that become charge lines: every state but refused. A technician files the
# expense during the visit, often still in draft when the intervention is finished and
# its charges computed; a refused expense drops out at the next computation.
CHARGED_EXPENSE_STATES = ("draft", "submitted", "approved", "posted", "in_payment", "paid")


class AftersalesIntervention(models.Model):
    """Expense notes: the technicians' ``hr.expense`` lines linked to the intervention.

    Each linked expense that is not refused is one charge line of kind "expense". Its
    ``cost`` is the expense's untaxed total in the company's currency, always: also when
    the expense is not re-invoiced and when the intervention is fully covered. Its price
    follows Odoo's re-invoice policy of the expense's product (``expense_policy``, from
    ``sale``): "No" is not billed (price 0), "At cost" bills the untaxed amount,
    "Sales price" bills the product's price in the customer's pricelist times the
    quantity. The charge line is the expense's only re-invoice path (``hr_expense.py``).
    """

    _inherit = "aftersales.intervention"

    expense_ids = fields.One2many(
        "hr.expense", "aftersales_intervention_id", groups="base.group_user"
    )
    expense_count = fields.Integer(compute="_compute_expense_count")

    def _compute_expense_count(self):
        # the expenses this user may read, as the list the button opens shows
        counts = dict(
            self.env["hr.expense"]._read_group(
                [("aftersales_intervention_id", "in", self.ids)],
                ["aftersales_intervention_id"],
                ["__count"],
            )
        )
        for intervention in self:
            intervention.expense_count = counts.get(intervention, 0)

    def action_view_expenses(self):
        self.ensure_one()
        employee = self.employee_ids & self.env.user.employee_ids
        context = {
            "default_aftersales_intervention_id": self.id,
            "default_company_id": self.company_id.id,
        }
        if employee:
            context["default_employee_id"] = employee[:1].id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Expenses"),
            "res_model": "hr.expense",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("hr_expense.hr_expense_view_expenses_analysis_tree").id, "list"),
                (self.env.ref("hr_expense.hr_expense_view_form").id, "form"),
            ],
            "domain": [("aftersales_intervention_id", "=", self.id)],
            "context": context,
        }

    # ------------------------------------------------------------------
    # Charge lines
    # ------------------------------------------------------------------
    def _prepare_charge_vals_list(self):
        vals_list = super()._prepare_charge_vals_list()
        vals_list += self._prepare_expense_charge_vals_list()
        return vals_list

    def _charged_expenses(self):
        self.ensure_one()
        # sudo: the charges read every technician's expenses, whoever computes them
        return self.sudo().expense_ids.filtered(lambda e: e.state in CHARGED_EXPENSE_STATES)

    def _prepare_expense_charge_vals_list(self):
        """One charge line of kind "expense" per linked expense that is not refused."""
        self.ensure_one()
        return [self._prepare_expense_charge_vals(expense) for expense in self._charged_expenses()]

    def _prepare_expense_charge_vals(self, expense):
        currency = self.company_id.currency_id
        cost = currency.round(expense.untaxed_amount)
        quantity, price_unit = self._expense_charge_price(expense, cost)
        return {
            "intervention_id": self.id,
            "kind": "expense",
            "sequence": 70,
            "name": expense.name,
            "product_id": expense.product_id.id,
            "quantity": quantity,
            "price_unit": price_unit,
            "cost": cost,
            "expense_id": expense.id,
        }

    def _expense_charge_price(self, expense, cost):
        """(quantity, unit price) of the expense's charge line, per the re-invoice
        policy of its product; the line's amount is exact to the cent."""
        policy = expense.product_id.expense_policy
        quantity = expense.quantity
        if policy == "sales_price":
            return quantity, self._expense_sales_price(expense)
        if policy != "cost":
            return quantity, 0.0
        # at cost: the untaxed amount. The quantity is kept when the unit price it gives
        # rounds back to that amount (2 x 3.25), else the line is 1 x the amount
        digits = self.env["decimal.precision"].precision_get("Product Price")
        if not float_is_zero(quantity, precision_digits=digits):
            price_unit = round(cost / quantity, digits)
            currency = self.company_id.currency_id
            if not float_compare(
                currency.round(quantity * price_unit),
                cost,
                precision_digits=currency.decimal_places,
            ):
                return quantity, price_unit
        return 1.0, cost

    def _expense_sales_price(self, expense):
        """The product's sales price in the customer's pricelist, in the company's
        currency, for the expense's unit and date."""
        company = self.company_id
        pricelist = self.commercial_partner_id.with_company(company).property_product_pricelist
        price = pricelist._get_product_price(
            expense.product_id, expense.quantity, uom=expense.product_uom_id, date=expense.date
        )
        currency = pricelist.currency_id or company.currency_id
        if currency != company.currency_id:
            price = currency._convert(
                price, company.currency_id, company, expense.date or fields.Date.today()
            )
        return price
