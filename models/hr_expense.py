from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Expenses whose journal entry exists: their analytic lines are written, the
# distribution is no longer theirs to change.
POSTED_STATES = ("posted", "in_payment", "paid")


class HrExpense(models.Model):
    """An expense note paid by a technician for an intervention (parking, a meal away,
    a part bought on the way).

    Linking it to an intervention gives it the contract's analytic distribution (unless
    it has one) and makes it a charge line of kind "expense" of the intervention
    (``aftersales_intervention_costing_lines.py``): its cost always counts in the
    intervention's cost, and it is re-invoiced to the customer by that charge line, per
    its product's re-invoice policy. That charge line is the ONLY re-invoice path: an
    expense linked to an intervention is never re-invoiced on a sale order by Odoo's
    own expense flow (``sale_expense``), see ``_check_aftersales_single_reinvoice`` and
    ``account.move.line._sale_can_be_reinvoice``.

    Rules, checked when the link is set and when the expense's employee or company
    changes: the expense and the intervention belong to the same company, and the
    expense's employee is one of the intervention's technicians (``employee_ids``).
    Technicians removed from the intervention later keep the expenses they already
    linked: the money was spent.
    """

    _inherit = "hr.expense"

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('company_id', '=', company_id), ('employee_ids', 'in', employee_id)]",
        help="The intervention this expense was made for: it is charged to the customer "
        "with the intervention, per the re-invoice policy of its category, and counts "
        "in the intervention's cost.",
    )

    @api.constrains("aftersales_intervention_id", "employee_id", "company_id")
    def _check_aftersales_intervention(self):
        for expense in self.filtered("aftersales_intervention_id"):
            # sudo: the rule reads the intervention's technicians, whoever links
            intervention = expense.aftersales_intervention_id.sudo()
            if expense.company_id != intervention.company_id:
                raise ValidationError(
                    self.env._(
                        "Expense %(expense)s belongs to company %(expense_company)s, "
                        "intervention %(intervention)s to %(company)s: link an expense "
                        "to an intervention of its own company.",
                        expense=expense.name,
                        expense_company=expense.company_id.name,
                        intervention=intervention.name,
                        company=intervention.company_id.name,
                    )
                )
            if expense.employee_id not in intervention.employee_ids:
                raise ValidationError(
                    self.env._(
                        "Expense %(expense)s was paid by %(employee)s, who is not a "
                        "technician of intervention %(intervention)s: only the expenses "
                        "of its technicians can be charged with it.",
                        expense=expense.name,
                        employee=expense.employee_id.name,
                        intervention=intervention.name,
                    )
                )
        self._check_aftersales_single_reinvoice()

    def _check_aftersales_single_reinvoice(self):
        """An expense re-invoiced on a sale order by Odoo's own expense flow
        (``sale_order_id``, from ``sale_expense`` when installed) cannot be linked to an
        intervention as well: the customer would pay it twice."""
        if "sale_order_id" not in self._fields:
            return
        twice = self.filtered(lambda e: e.aftersales_intervention_id and e.sale_order_id)
        if twice:
            expense = twice[0]
            raise ValidationError(
                self.env._(
                    "Expense %(expense)s is re-invoiced on sale order %(order)s and charged "
                    "with intervention %(intervention)s: the customer would pay it twice. "
                    "Clear one of the two.",
                    expense=expense.name,
                    order=expense.sale_order_id.display_name,
                    intervention=expense.aftersales_intervention_id.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        expenses = super().create(vals_list)
        # a distribution in the values is the user's: kept
        expenses.browse(
            expense.id
            for expense, vals in zip(expenses, vals_list, strict=True)
            if expense.aftersales_intervention_id and not vals.get("analytic_distribution")
        )._apply_aftersales_distribution(previous={})
        return expenses

    def write(self, vals):
        previous = {}
        if "aftersales_intervention_id" in vals and "analytic_distribution" not in vals:
            # the distribution the previous intervention gave, replaced on a change
            previous = {
                expense.id: expense.aftersales_intervention_id.contract_id.analytic_distribution
                for expense in self.sudo()
            }
        res = super().write(vals)
        if "sale_order_id" in vals:
            self._check_aftersales_single_reinvoice()
        if previous:
            self._apply_aftersales_distribution(previous)
        return res

    def _apply_aftersales_distribution(self, previous):
        """Give the expenses the analytic distribution of their intervention's contract,
        as its timesheet lines have, unless the user set one: only an empty distribution,
        or the one the previous intervention gave (``previous``: expense id ->
        distribution), is replaced. Posted expenses keep theirs: their analytic lines are
        written."""
        for expense in self.filtered(lambda e: e.state not in POSTED_STATES):
            # sudo: the link was written with the user's rights; the distribution follows
            # it, whether or not hr_expense lets this user edit the distribution
            expense = expense.sudo()
            distribution = expense.aftersales_intervention_id.contract_id.analytic_distribution
            current = expense.analytic_distribution
            if current and current == previous.get(expense.id):
                if current != distribution:
                    expense.analytic_distribution = distribution or False
            elif not current and distribution:
                expense.analytic_distribution = distribution
