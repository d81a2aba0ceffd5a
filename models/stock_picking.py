from odoo import api, fields, models

from .aftersales_input_guard import NAME_TEXT_LIMIT, check_text_limits
from .ir_sequence import NUMBER_FIELDS

DDT_SEQUENCE_CODE = "aftersales.ddt"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        # sudo: the storekeeper may validate the delivery (checked by super()); the
        # warranty registry and the order's contracts are the system's bookkeeping, and
        # neither is the storekeeper's to read or edit otherwise.
        done.filtered(
            lambda p: p.location_dest_id.usage == "customer"
        ).sudo()._aftersales_on_delivered()
        done.filtered(
            lambda p: not p.aftersales_ddt_number and p._aftersales_is_customer_facing()
        )._aftersales_assign_ddt_number()
        return res

    def _aftersales_on_delivered(self):
        """Warranty registry and contract serials, for serials delivered to customers."""
        assignments = []
        used = set()
        for picking in self:
            move_lines = picking.move_line_ids.filtered(
                lambda ml: ml.lot_id and ml.product_id.tracking == "serial"
            )
            if not move_lines:
                continue
            day = fields.Date.context_today(picking, picking.date_done)
            partner = picking.partner_id or picking.sale_id.partner_id
            move_lines.lot_id._aftersales_register_delivery(partner, day)
            contracts = picking.sale_id.aftersales_contract_ids.filtered(
                lambda c: c.state in ("draft", "active")
            )
            for move_line in move_lines:
                placeholder = contracts.line_ids.filtered(
                    lambda line, ml=move_line: (
                        line.equipment_product_id == ml.product_id
                        and not line.lot_id
                        and line.id not in used
                    )
                )[:1]
                if placeholder:
                    used.add(placeholder.id)
                    assignments.append((placeholder, move_line.lot_id))
        for line, lot in assignments:
            line.lot_id = lot

    # ------------------------------------------------------------------
    # Delivery notes (DDT, *documento di trasporto*) of the goods that leave the company
    # for a customer or a supplier: a number progressive per company and year, given when
    # the picking is validated, and the transport details the note prints.
    #
    # When Odoo's Italian ``l10n_it_stock_ddt`` numbers the picking, its number is the
    # DDT number and no second one is drawn.
    # ------------------------------------------------------------------

    aftersales_ddt_number = fields.Char(
        string="Delivery Note No.", copy=False, readonly=True, index="btree_not_null"
    )
    aftersales_ddt_date = fields.Date(string="Delivery Note Date", copy=False, readonly=True)
    aftersales_transport_reason = fields.Selection(
        [
            ("sale", "Sale"),
            ("repair", "Repair"),
            ("warranty", "Warranty replacement"),
            ("return", "Return"),
            ("loan", "Loan for use"),
        ],
        string="Reason for Transport",
        default="sale",
    )
    aftersales_carrier_id = fields.Many2one(
        "res.partner",
        string="Haulier",
        help="The haulier who carries the goods; empty when the sender carries them.",
    )
    aftersales_goods_appearance = fields.Char(
        string="Goods Appearance", help="Outward appearance of the goods, e.g. boxes, pallet."
    )
    aftersales_packages = fields.Integer(string="Packages", default=1)
    aftersales_gross_weight = fields.Float(
        string="Gross Weight (kg)",
        digits="Stock Weight",
        help="Empty: the weight of the products moved.",
    )
    aftersales_ddt_needed = fields.Boolean(
        string="Needs a DDT", compute="_compute_aftersales_ddt_needed"
    )

    _aftersales_ddt_positive = models.Constraint(
        "CHECK (aftersales_packages >= 0 AND aftersales_gross_weight >= 0)",
        "The number of packages and the weight of a delivery note cannot be negative.",
    )

    @api.constrains("aftersales_goods_appearance")
    def _check_aftersales_goods_appearance_length(self):
        check_text_limits(self, {"aftersales_goods_appearance": NAME_TEXT_LIMIT})

    @api.depends("picking_type_code", "location_dest_id.usage")
    def _compute_aftersales_ddt_needed(self):
        for picking in self:
            picking.aftersales_ddt_needed = picking._aftersales_is_customer_facing()

    def _aftersales_is_customer_facing(self):
        """Goods leaving the company's stock for a customer or a supplier travel with a
        delivery note."""
        self.ensure_one()
        return self.location_dest_id.usage in ("customer", "supplier") and (
            self.location_id.usage not in ("customer", "supplier")
        )

    def _aftersales_assign_ddt_number(self):
        """Number the delivery notes: the Italian localisation's number when it gave one,
        else the next of the company's yearly DDT sequence, in the order they were done,
        with one query per company and year."""
        italian = "l10n_it_ddt_number" in self._fields
        pickings = self.sorted(lambda p: (p.date_done, p.id))
        days = {
            picking: fields.Date.context_today(picking, picking.date_done) for picking in pickings
        }
        numbers = {picking: italian and picking.l10n_it_ddt_number for picking in pickings}
        to_draw = pickings.filtered(lambda p: not numbers[p])
        sequences = self._aftersales_ddt_sequences(to_draw.company_id)
        for company, company_pickings in to_draw.grouped("company_id").items():
            drawn = sequences[company]._aftersales_next_numbers(
                [days[picking] for picking in company_pickings]
            )
            numbers.update(zip(company_pickings, drawn, strict=True))
        for picking in pickings:
            picking.write(
                {"aftersales_ddt_number": numbers[picking], "aftersales_ddt_date": days[picking]}
            )

    @api.model
    def _aftersales_ddt_sequences(self, companies):
        """{company: its DDT sequence} (numbers restart each year), made on first use."""
        Sequence = self.env["ir.sequence"].sudo()
        sequences = {}
        for sequence in Sequence.search_fetch(
            [("code", "=", DDT_SEQUENCE_CODE), ("company_id", "in", companies.ids)],
            ["company_id", *NUMBER_FIELDS],
        ):
            sequences.setdefault(sequence.company_id, sequence)
        missing = companies.filtered(lambda company: company not in sequences)
        if missing:
            created = Sequence.create(
                [self._aftersales_prepare_ddt_sequence_vals(company) for company in missing]
            )
            sequences.update(zip(missing, created, strict=True))
        return sequences

    @api.model
    def _aftersales_prepare_ddt_sequence_vals(self, company):
        return {
            "name": self.env._("Delivery notes (DDT) of %s", company.name),
            "code": DDT_SEQUENCE_CODE,
            "company_id": company.id,
            "prefix": "DDT/%(range_year)s/",
            "padding": 5,
            "use_date_range": True,
            "implementation": "no_gap",
        }

    def _aftersales_ddt_weight(self):
        """The gross weight printed: the one entered, else the products' weight."""
        self.ensure_one()
        if self.aftersales_gross_weight:
            return self.aftersales_gross_weight
        return sum(move.product_id.weight * move.quantity for move in self.move_ids)

    def _aftersales_ddt_lines(self):
        """(product, description, lots, quantity, unit) per move, for the report."""
        self.ensure_one()
        return [
            (
                move.product_id,
                move.description_picking or move.product_id.display_name,
                ", ".join(move.move_line_ids.lot_id.mapped("name")),
                move.quantity,
                move.product_uom,
            )
            for move in self.move_ids.filtered(lambda m: m.quantity and m.state != "cancel")
        ]

    def action_print_aftersales_ddt(self):
        return self.env.ref("aftersales.action_report_aftersales_ddt").report_action(
            self, config=False
        )

    # ------------------------------------------------------------------
    # Material returns of help desk tickets.
    # ------------------------------------------------------------------

    aftersales_ticket_id = fields.Many2one(
        "aftersales.ticket",
        string="Ticket",
        copy=False,
        index="btree_not_null",
        readonly=True,
        groups="aftersales.group_aftersales_user",
    )
    aftersales_under_warranty = fields.Boolean(
        string="Return Under Warranty",
        copy=False,
        help="Set from the ticket's coverage: ticked when the return is free of charge.",
    )

    # ------------------------------------------------------------------
    # Delivery notes and pick-ups of interventions.
    # ------------------------------------------------------------------

    aftersales_intervention_id = fields.Many2one(
        "aftersales.intervention",
        string="Intervention",
        copy=False,
        index="btree_not_null",
        readonly=True,
    )
