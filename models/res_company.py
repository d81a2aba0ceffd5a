from odoo import fields, models

from .aftersales_field_policy import MONEY_GROUPS

# A time entry may last at most a week, whatever a company configures.
MAX_TIME_ENTRY_HOURS = 168.0


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_invoice_post = fields.Boolean(
        string="Post Contract Invoices",
        help="Post the invoices made by the contract invoicing run instead of leaving them "
        "as drafts.",
    )
    aftersales_vehicle_cost_per_km = fields.Monetary(
        string="Vehicle Cost per km",
        currency_field="currency_id",
        help="Running cost of a kilometre for vehicles without a cost of their own.",
        groups=MONEY_GROUPS,
    )

    _aftersales_vehicle_cost_positive = models.Constraint(
        "CHECK (aftersales_vehicle_cost_per_km >= 0)", "A cost per km cannot be negative."
    )

    aftersales_van_negative_stock = fields.Boolean(
        string="Allow Materials Not in the Van",
        help="Finishing an intervention that used more than its van holds is allowed; the "
        "intervention then says which quantities went negative. Otherwise it is refused.",
    )
    aftersales_subcontract_product_id = fields.Many2one(
        "product.product",
        string="Subcontracted Service",
        domain="[('type', '=', 'service'), ('purchase_ok', '=', True)]",
        help="The service bought from a subcontractor on the purchase order of an intervention.",
    )

    def _aftersales_lang(self):
        """The language of the lines the system writes by itself on the company's records
        (creation lines in the chatter). A person working in the interface gets theirs;
        when the system acts (an install, a cron, the e-mail gateway, a portal request run
        as superuser) it is the company's own, when active, so that an Italian dealer's
        history is in Italian whatever process wrote it."""
        self.ensure_one()
        if not self.env.su and self.env.lang:
            return self.env.lang
        return self.env["res.lang"]._get_code(self.partner_id.lang or "") or self.env.lang

    # ------------------------------------------------------------------
    # The timesheet project of the interventions that have no help desk team, and how
    # long one time entry of a worksheet may last.
    # ------------------------------------------------------------------

    aftersales_time_entry_max_hours = fields.Float(
        string="Longest Time Entry (hours)",
        default=24.0,
        help="The longest a worksheet time entry may last; a longer job is recorded as "
        "several entries (at most 168 hours, a week).",
    )

    _aftersales_time_entry_max_hours_range = models.Constraint(
        f"CHECK (aftersales_time_entry_max_hours > 0"
        f" AND aftersales_time_entry_max_hours <= {MAX_TIME_ENTRY_HOURS})",
        "The longest time entry must last more than zero hours and at most a week (168 hours).",
    )

    aftersales_project_id = fields.Many2one(
        "project.project",
        string="Intervention Timesheet Project",
        help="Timesheets of interventions without a help desk team; created when missing.",
    )

    def _aftersales_ensure_project(self):
        self.ensure_one()
        if not self.aftersales_project_id:
            self.sudo().aftersales_project_id = (
                self.env["project.project"]
                .sudo()
                .create(
                    self.env["aftersales.team"]._prepare_project_vals(
                        self.env._("Interventions"), self
                    )
                )
            )
        return self.aftersales_project_id
