from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command


class AftersalesContract(models.Model):
    """Contracts generated from sale orders, deliveries and invoices."""

    _inherit = "aftersales.contract"

    source_invoice_id = fields.Many2one(
        "account.move", copy=False, index="btree_not_null", readonly=True
    )
    sale_order_readable = fields.Boolean(
        compute="_compute_sale_order_readable",
        help="Whether the user may open the order the contract comes from: it is Sales' "
        "document, and a salesperson of their own documents opens only theirs.",
    )

    @api.depends("sale_order_id")
    @api.depends_context("uid")
    def _compute_sale_order_readable(self):
        readable = self.sale_order_id._filtered_access("read")
        for contract in self:
            contract.sale_order_readable = contract.sale_order_id in readable

    def _prepare_generated_vals(
        self,
        template,
        *,
        partner,
        company,
        date_start,
        fee_vals,
        equipment_vals,
        first_period_billed,
        extra=None,
    ):
        """A plan for one generated contract: its values and whether its first period
        has already been billed by the document it comes from."""
        coverage = template._prepare_coverage_vals()
        lines = [Command.create({**vals, "date_start": date_start}) for vals in fee_vals]
        lines += [
            Command.create({**coverage, **vals, "date_start": date_start})
            for vals in equipment_vals
        ]
        contract_vals = template._prepare_contract_vals(date_start)
        contract_vals.pop("hour_bank_hours", None)  # the hours bought are a ledger move
        vals = {
            **contract_vals,
            "partner_id": partner.id,
            "company_id": company.id,
            "date_start": date_start,
            "line_ids": lines,
            **(extra or {}),
        }
        return {
            "vals": vals,
            "template": template,
            "first_period_billed": first_period_billed,
            "hours_bought": template._hour_bank_purchase_hours(fee_vals),
        }

    def _create_generated(self, plans):
        """Create the planned contracts in one batch; activate those the template wants."""
        if not plans:
            return self.browse()
        # Confirming an order, validating a delivery or posting an invoice makes the
        # contract whoever does it (a salesperson, a storekeeper, an accountant): the
        # creation itself is the system's, as sale_stock does with procurements.
        contracts = self.sudo().create([plan["vals"] for plan in plans])
        for contract, plan in zip(contracts, plans, strict=True):
            if plan["hours_bought"]:
                contract._hour_bank_top_up(
                    plan["hours_bought"], kind="purchase", name=plan["template"].name
                )
            if plan["first_period_billed"]:
                contract._skip_first_period()
            contract.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": contract, "origin": contract._origin_document()},
                subtype_xmlid="mail.mt_note",
            )
        contracts.filtered(lambda c: c.template_id.generated_state == "active").action_activate()
        return contracts.sudo(False)

    def _origin_document(self):
        return self.sale_order_id or self.source_invoice_id

    def _skip_first_period(self):
        """The document the contract comes from billed its fee lines' first period."""
        self.ensure_one()
        first_end = self._current_period(self.date_start)[1]
        self.next_period_start = first_end + timedelta(days=1)
        self.line_ids.filtered("product_id").date_last_invoiced = first_end

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "view_mode": "form",
            "res_id": self.sale_order_id.id,
        }
