from odoo import api, fields, models
from odoo.tools.misc import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_contract_id = fields.Many2one(
        "aftersales.contract",
        string="Service Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales.group_aftersales_user,account.group_account_invoice,"
        "account.group_account_readonly",
    )
    aftersales_period_start = fields.Date(string="Billed Period Start", copy=False, readonly=True)
    aftersales_period_end = fields.Date(string="Billed Period End", copy=False, readonly=True)
    aftersales_ddt_picking_ids = fields.Many2many(
        "stock.picking",
        "account_move_aftersales_ddt_rel",
        "move_id",
        "picking_id",
        string="Delivery Notes",
        compute="_compute_aftersales_ddt_picking_ids",
        store=True,
        copy=False,
        help="The delivery notes (DDT) of the goods this invoice bills, listed on a "
        "deferred invoice.",
    )

    # A contract period has at most one live invoice, whoever creates it and however often
    # the cron is rerun: the database refuses the second one.
    _aftersales_period_unique = models.UniqueIndex(
        "(aftersales_contract_id, aftersales_period_start)"
        " WHERE (aftersales_contract_id IS NOT NULL AND state != 'cancel')",
        "This contract period has already been invoiced.",
    )

    @api.depends("invoice_line_ids.sale_line_ids")
    def _compute_aftersales_ddt_picking_ids(self):
        for move in self:
            # sudo: the invoice lists the notes of its goods, whoever reads it
            pickings = (
                move.sudo()
                .invoice_line_ids.sale_line_ids.move_ids.filtered(lambda m: m.state == "done")
                .picking_id
            )
            move.aftersales_ddt_picking_ids = pickings.filtered("aftersales_ddt_number").sorted(
                lambda p: (p.aftersales_ddt_date, p.aftersales_ddt_number)
            )

    def _aftersales_ddt_references(self):
        """ "DDT/2026/00001 of 03/06/2026, ..." for the invoice report."""
        self.ensure_one()
        return ", ".join(
            self.env._(
                "%(number)s of %(date)s",
                number=picking.aftersales_ddt_number,
                date=format_date(self.env, picking.aftersales_ddt_date),
            )
            for picking in self.sudo().aftersales_ddt_picking_ids
        )

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        # posted, reset to draft or cancelled: the revenue and margins of the
        # interventions and contracts these invoices bill (_post, button_draft,
        # button_cancel and the like all write the state)
        changed = self.filtered(lambda move: move.state != vals["state"])
        res = super().write(vals)
        changed._aftersales_recompute_revenue()
        return res

    def _aftersales_recompute_revenue(self):
        """Mark for recomputation, in one batch, the stored revenue of the interventions
        whose charges these moves invoice and the margins of the contracts whose fees
        they invoice; margins depending on them follow."""
        if not self:
            return
        # sudo: the figures belong to the interventions and contracts, whoever posts
        lines = self.sudo().line_ids
        interventions = lines.sale_line_ids.aftersales_charge_ids.intervention_id
        contracts = (
            self.sudo().aftersales_contract_id | lines.aftersales_contract_line_id.contract_id
        )
        # the fees of a contract sold on an order, or by an invoice (and their credit
        # notes): the same sources as ``fee_lines_query``
        sale_lines = lines.sale_line_ids
        if sale_lines:
            contracts |= (
                self.env["aftersales.contract.line"]
                .sudo()
                .search([("sale_line_id", "in", sale_lines.ids)])
                .contract_id
            )
        invoices = self.filtered(lambda move: move.is_invoice())
        if invoices:
            contracts |= (
                self.env["aftersales.contract"]
                .sudo()
                .search(
                    [
                        (
                            "source_invoice_id",
                            "in",
                            (invoices | invoices.reversed_entry_id).ids,
                        )
                    ]
                )
            )
        for records, fname in ((interventions, "revenue"), (contracts, "fee_revenue")):
            if not records:
                continue
            records = records.with_env(self.env)
            field = records._fields[fname]
            # every field of the compute method (the intervention's revenue and margin)
            for computed in self.pool.field_computed.get(field, [field]):
                self.env.add_to_compute(computed, records)
            # ... and what depends on it (margins, the contract's revenue and margin)
            records.modified([fname])

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._aftersales_create_contracts()
        return posted

    def _aftersales_create_contracts(self):
        """Contracts for posted customer invoices that sell a contract without a sale order."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and not m.aftersales_contract_id
        )
        if not invoices:
            return self.env["aftersales.contract"]
        # sudo: whoever may post the invoice makes its contract (see _create_generated),
        # and looks for the one made at an earlier posting, whatever their contract rights.
        already = (
            self.env["aftersales.contract"]
            .sudo()
            .search([("source_invoice_id", "in", invoices.ids)])
        )
        vals_list = []
        for invoice in invoices - already.source_invoice_id:
            lines = invoice.invoice_line_ids.filtered(
                lambda line: (
                    line.product_id.aftersales_contract_template_id and not line.sale_line_ids
                )
            )
            for template, fee_lines in lines.grouped(
                lambda line: line.product_id.aftersales_contract_template_id
            ).items():
                vals_list.append(invoice._prepare_aftersales_contract_vals(template, fee_lines))
        return self.env["aftersales.contract"]._create_generated(vals_list)

    def _prepare_aftersales_contract_vals(self, template, fee_lines):
        """A contract for ``fee_lines`` of this invoice, which already billed its first period."""
        self.ensure_one()
        contract_model = self.env["aftersales.contract"]
        start = self.invoice_date or fields.Date.context_today(self)
        equipment = self.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and line.product_id.type == "consu"
                and not line.product_id.aftersales_contract_template_id
            )
        )
        fee_vals = [
            {
                "product_id": line.product_id.id,
                "name": line.name or line.product_id.display_name,
                "quantity": line.quantity,
                "product_uom_id": line.product_uom_id.id,
                "price_unit": line.price_unit,
                "discount": line.discount,
                "tax_ids": [fields.Command.set(line.tax_ids.ids)],
            }
            for line in fee_lines
        ]
        equipment_vals = [
            {"equipment_product_id": line.product_id.id, "quantity": line.quantity}
            for line in equipment
        ]
        return contract_model._prepare_generated_vals(
            template,
            partner=self.partner_id,
            company=self.company_id,
            date_start=start,
            fee_vals=fee_vals,
            equipment_vals=equipment_vals,
            first_period_billed=True,
            extra={
                "source_invoice_id": self.id,
                "origin": self.name,
                "currency_id": self.currency_id.id,
                "payment_term_id": self.invoice_payment_term_id.id or False,
                "fiscal_position_id": self.fiscal_position_id.id or False,
            },
        )
