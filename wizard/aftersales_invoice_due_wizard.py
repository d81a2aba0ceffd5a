from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class AftersalesInvoiceDueWizard(models.TransientModel):
    """Invoice the done interventions of a period: bill those not billed yet (a
    confirmed sale order each), then invoice their orders through the sale order's own
    invoicing, one invoice per customer and month when asked (Italian deferred invoice,
    listing the delivery notes it covers)."""

    _name = "aftersales.invoice.due.wizard"
    _description = "Invoice Due Interventions"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Empty: every customer.",
    )
    date_from = fields.Date(string="Finished From")
    date_to = fields.Date(string="Finished To", default=fields.Date.context_today)
    group_by_month = fields.Boolean(
        string="One Invoice per Customer per Month",
        default=True,
        help="A deferred invoice per customer and month, listing the delivery notes (DDT) "
        "of the goods it bills. Otherwise one invoice per sale order.",
    )

    def _intervention_domain(self):
        self.ensure_one()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts."))
        domain = (
            Domain("state", "=", "done")
            & Domain("billing_status", "in", ["to_bill", "billed"])
            & Domain("company_id", "in", self.env.companies.ids)
        )
        if self.partner_ids:
            domain &= Domain(
                "commercial_partner_id", "in", self.partner_ids.commercial_partner_id.ids
            )
        if self.date_from:
            domain &= Domain("date_end", ">=", fields.Datetime.to_datetime(self.date_from))
        if self.date_to:
            end = fields.Datetime.add(fields.Datetime.to_datetime(self.date_to), days=1)
            domain &= Domain("date_end", "<", end)
        return domain

    def action_invoice(self):
        self.ensure_one()
        Intervention = self.env["aftersales.intervention"]
        Intervention._check_billing_rights()
        # sudo: accountants invoice interventions they cannot read; the rights were
        # checked above and the search keeps to the user's companies
        interventions = Intervention.sudo().search(self._intervention_domain())
        moves = interventions._invoice_due(by_month=self.group_by_month)
        if not moves:
            raise UserError(
                self.env._("No done intervention of this period has anything left to invoice.")
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if len(moves) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = moves.id
        return action
