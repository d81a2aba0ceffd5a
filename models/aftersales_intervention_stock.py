"""Rows that a model hands to a QWeb report, read only with the keys they have.

A template reads a row with ``row.get('x')`` or ``row['x']``. A plain dict answers
``None`` to a key it does not have, and the report prints an empty cell or a default
("1 Units") with no one noticing. A ``ReportRow`` refuses any key it was not given, so
a template that reads a key the model does not give fails to render, in the tests first.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class ReportRow(dict):
    """A dict whose ``get`` and ``[]`` raise ``KeyError`` for a key it does not hold."""

    __slots__ = ()

    def __missing__(self, key):
        raise KeyError(
            f"A report reads the key {key!r} of a row that has only {sorted(self)!r}: "
            "the template and the model that fills it disagree."
        )

    def get(self, key, default=None):
        return self[key]


class AftersalesIntervention(models.Model):
    """Materials used and picked up: stock moves on real pickings.

    The worksheet's material lines are ``stock.move`` records with a line type, as
    repair's parts. Finishing the intervention puts every used line on ONE outgoing
    picking from the van to the customer and validates it (the delivery note of the
    goods left there); lines picked up go on an incoming picking to the repair location,
    or become the moves of ``stock.scrap`` records. Quantities and valuation move as for
    any delivery. A technician (After-Sales/User) enters the lines; the pickings and
    scraps are system work done with ``sudo()`` once the user's right to write the
    intervention is checked.
    """

    _inherit = "aftersales.intervention"

    van_location_id = fields.Many2one(
        "stock.location",
        string="Van",
        compute="_compute_van_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where the materials used come from: the vehicle's location, else the first "
        "technician's.",
    )
    return_location_id = fields.Many2one(
        "stock.location",
        string="Repair Location",
        compute="_compute_return_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where the serials picked up for repair go: the team's return location.",
    )
    material_move_ids = fields.One2many(
        "stock.move",
        "aftersales_intervention_id",
        string="Materials Used",
        domain=[("aftersales_line_type", "=", "used")],
        context={"default_aftersales_line_type": "used"},
    )
    pickup_move_ids = fields.One2many(
        "stock.move",
        "aftersales_intervention_id",
        string="Picked Up",
        domain=[("aftersales_line_type", "in", ("pickup", "scrap"))],
        context={"default_aftersales_line_type": "pickup"},
    )
    picking_ids = fields.One2many(
        "stock.picking",
        "aftersales_intervention_id",
        string="Transfers",
        groups="stock.group_stock_user",
    )
    scrap_ids = fields.One2many(
        "stock.scrap",
        "aftersales_intervention_id",
        string="Scraps",
        groups="stock.group_stock_user",
    )
    picking_count = fields.Integer(string="Transfer Count", compute="_compute_stock_counts")
    scrap_count = fields.Integer(compute="_compute_stock_counts")
    van_negative_note = fields.Text(
        string="Not in the Van",
        readonly=True,
        copy=False,
        help="Quantities used beyond what the van held, when the company allows it.",
    )

    @api.depends("vehicle_id", "employee_ids")
    def _compute_van_location_id(self):
        for intervention in self:
            location = intervention.vehicle_id.aftersales_location_id or next(
                (
                    e.aftersales_location_id
                    # sudo: the van is an HR field; the technician planning the visit only
                    # needs the location it gives
                    for e in intervention.employee_ids.sudo()
                    if e.aftersales_location_id
                ),
                False,
            )
            if location or not intervention.van_location_id:
                intervention.van_location_id = location

    @api.depends("team_id")
    def _compute_return_location_id(self):
        for intervention in self:
            intervention.return_location_id = intervention.team_id.return_location_id

    def _compute_stock_counts(self):
        # sudo: counts only, shown to technicians who cannot open the pickings
        pickings = dict(
            self.env["stock.picking"]
            .sudo()
            ._read_group(
                [("aftersales_intervention_id", "in", self.ids)],
                ["aftersales_intervention_id"],
                ["__count"],
            )
        )
        scraps = dict(
            self.env["stock.scrap"]
            .sudo()
            ._read_group(
                [("aftersales_intervention_id", "in", self.ids)],
                ["aftersales_intervention_id"],
                ["__count"],
            )
        )
        for intervention in self:
            intervention.picking_count = pickings.get(intervention, 0)
            intervention.scrap_count = scraps.get(intervention, 0)

    # ------------------------------------------------------------------
    # Locations
    # ------------------------------------------------------------------
    def _aftersales_customer_location(self):
        self.ensure_one()
        partner = self.site_partner_id or self.partner_id
        return partner.property_stock_customer or self.env.ref("stock.stock_location_customers")

    def _aftersales_scrap_location(self):
        self.ensure_one()
        return self.env["stock.location"].search(
            [("company_id", "in", [self.company_id.id, False]), ("usage", "=", "inventory")],
            order="company_id, id",
            limit=1,
        )

    def _aftersales_warehouse(self):
        self.ensure_one()
        warehouse = self.van_location_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        if not warehouse:
            raise UserError(
                self.env._("Company %(company)s has no warehouse.", company=self.company_id.name)
            )
        return warehouse

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _aftersales_van_shortages(self):
        """[(intervention, product, lot, needed, available)] for the used lines of
        ``self`` that take more from the van than it holds (one query for the batch)."""
        needed = defaultdict(float)
        for intervention in self:
            for move in intervention.material_move_ids:
                if move.aftersales_vendor_id or not move.product_id.is_storable:
                    continue
                qty = move.product_uom._compute_quantity(
                    move.product_uom_qty, move.product_id.uom_id
                )
                needed[intervention, move.product_id, move.aftersales_lot_id] += qty
        if not needed:
            return []
        vans = self.van_location_id
        products = self.env["product.product"].union(*(k[1] for k in needed))
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                Domain("location_id", "child_of", vans.ids)
                & Domain("product_id", "in", products.ids),
                ["location_id", "product_id", "lot_id"],
                ["quantity:sum"],
            )
        )
        held = defaultdict(float)
        for location, product, lot, quantity in groups:
            for van in vans:
                if location.parent_path.startswith(van.parent_path):
                    held[van, product, lot] += quantity
                    held[van, product, False] += quantity
        shortages = []
        for (intervention, product, lot), qty in needed.items():
            available = held[intervention.van_location_id, product, lot or False]
            if product.uom_id.compare(qty, available) > 0:
                shortages.append((intervention, product, lot, qty, available))
        return shortages

    def _check_materials(self):
        """Before finishing: a van for the used lines, and either enough in the van or a
        company allowing the difference, written on the intervention."""
        for intervention in self:
            from_van = intervention.material_move_ids.filtered(lambda m: not m.aftersales_vendor_id)
            if from_van and not intervention.van_location_id:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s used materials but has no van: set the "
                        "vehicle's or the technician's van location.",
                        name=intervention.name,
                    )
                )
            missing = from_van.filtered(
                lambda m: m.product_id.tracking != "none" and not m.aftersales_lot_id
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Intervention %(name)s: enter the lot or serial of %(product)s.",
                        name=intervention.name,
                        product=missing[0].product_id.display_name,
                    )
                )
        shortages = self._aftersales_van_shortages()
        if not shortages:
            return
        lines = {
            intervention: [
                self.env._(
                    "%(product)s%(lot)s: %(needed)s used, %(available)s in %(van)s",
                    product=product.display_name,
                    lot=f" ({lot.name})" if lot else "",
                    needed="%g" % needed,
                    available="%g" % available,
                    van=intervention.van_location_id.display_name,
                )
                for i, product, lot, needed, available in shortages
                if i == intervention
            ]
            for intervention in {s[0] for s in shortages}
        }
        blocked = [i for i in lines if not i.company_id.aftersales_van_negative_stock]
        if blocked:
            raise UserError(
                self.env._(
                    "Intervention %(name)s used materials that are not in the van:\n%(lines)s",
                    name=blocked[0].name,
                    lines="\n".join(lines[blocked[0]]),
                )
            )
        for intervention, text in lines.items():
            intervention.van_negative_note = "\n".join(text)
            intervention.message_post(
                body=self.env._(
                    "Materials not in the van, taken into negative stock: %(lines)s",
                    lines="; ".join(text),
                )
            )

    # ------------------------------------------------------------------
    # Finishing: one delivery, one receipt, the scraps
    # ------------------------------------------------------------------
    def _finish_check(self):
        res = super()._finish_check()
        self.check_access("write")
        self._check_materials()
        self.pickup_move_ids._check_aftersales_pickup()
        return res

    def _finish_write_records(self):
        res = super()._finish_write_records()
        # sudo: the technician records materials; validating pickings and scraps and
        # moving contract lines and the warranty registry is the system's part of it.
        system = self.sudo()
        system._create_material_pickings("used")
        system._create_material_pickings("pickup")
        system._create_scraps()
        system._apply_replacements()
        self.invalidate_recordset(["picking_count", "scrap_count"])
        return res

    def _prepare_material_picking_vals(self, kind):
        """Values of the delivery (``kind="used"``) or pick-up receipt (``"pickup"``)."""
        self.ensure_one()
        warehouse = self._aftersales_warehouse()
        customer = self._aftersales_customer_location()
        if kind == "used":
            picking_type, source, destination = (
                warehouse.out_type_id,
                self.van_location_id,
                customer,
            )
        else:
            picking_type = warehouse.in_type_id
            source = customer
            destination = self.return_location_id or picking_type.default_location_dest_id
        return {
            "picking_type_id": picking_type.id,
            "partner_id": (self.site_partner_id or self.partner_id).id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "aftersales_intervention_id": self.id,
            # the ticket lists its returns: the serials picked up, not the delivery
            "aftersales_ticket_id": self.ticket_id.id if kind == "pickup" else False,
        }

    def _material_moves(self, kind):
        if kind == "used":
            return self.material_move_ids.filtered(lambda m: m.state == "draft")
        return self.pickup_move_ids.filtered(
            lambda m: m.state == "draft" and m.aftersales_line_type == "pickup"
        )

    def _create_material_pickings(self, kind):
        """One picking per intervention for its lines of ``kind``, in one batch: the
        delivery of the goods left is validated; the pick-up receipt waits, ready, for
        the repair location to receive the serials."""
        todo = self.filtered(lambda i: i._material_moves(kind))
        if not todo:
            return self.env["stock.picking"]
        pickings = self.env["stock.picking"].create(
            [i._prepare_material_picking_vals(kind) for i in todo]
        )
        moves = self.env["stock.move"]
        for intervention, picking in zip(todo, pickings, strict=True):
            lines = intervention._material_moves(kind)
            lines.write(
                {
                    "picking_id": picking.id,
                    "picking_type_id": picking.picking_type_id.id,
                    "partner_id": picking.partner_id.id,
                    "origin": intervention.name,
                }
            )
            moves |= lines
        # the lines entered (lots included) are the reservation: created before the
        # confirmation, they leave nothing for stock's own reservation to pick
        self.env["stock.move.line"].create(
            [move._aftersales_prepare_move_line_vals() for move in moves]
        )
        moves._action_confirm(merge=False)
        moves.picked = kind == "used"
        if kind == "used":
            # no "your order is delivered" text message: the customer has just signed
            # the service report that lists these goods
            pickings.with_context(skip_sms=True)._action_done()
        else:
            moves._recompute_state()
        return pickings

    def _create_scraps(self):
        lines = self.pickup_move_ids.filtered(
            lambda m: m.state == "draft" and m.aftersales_line_type == "scrap"
        )
        if not lines:
            return self.env["stock.scrap"]
        scraps = self.env["stock.scrap"].create([m._aftersales_prepare_scrap_vals() for m in lines])
        scraps.do_scrap()
        return scraps

    def _apply_replacements(self):
        """A serial replaced by a new one: the customer's contract lines and warranty
        registry move to the new serial; the old one keeps the link, and both chatters
        (and the contract's) say so."""
        for move in self.pickup_move_ids.filtered("aftersales_replacement_lot_id"):
            intervention = move.aftersales_intervention_id
            old, new = move.aftersales_lot_id, move.aftersales_replacement_lot_id
            lines = self.env["aftersales.contract.line"].search(
                [("lot_id", "=", old.id), ("contract_id.state", "in", ("draft", "active"))]
            )
            new.write(
                {
                    "aftersales_customer_id": old.aftersales_customer_id.id,
                    "aftersales_delivery_date": old.aftersales_delivery_date,
                    "aftersales_warranty_end": old.aftersales_warranty_end,
                    "aftersales_replaces_id": old.id,
                }
            )
            old.write(
                {
                    "aftersales_replaced_by_id": new.id,
                    "aftersales_customer_id": False,
                    "aftersales_warranty_end": False,
                }
            )
            lines.write({"lot_id": new.id})
            body = self.env._(
                "Serial %(old)s replaced by %(new)s at intervention %(intervention)s.",
                old=old.name,
                new=new.name,
                intervention=intervention.name,
            )
            for records in (old | new, lines.contract_id, intervention):
                for record in records:
                    record.message_post(body=body)

    # ------------------------------------------------------------------
    # Service report and buttons
    # ------------------------------------------------------------------
    def _report_material_lines(self):
        """The materials used, picked up and scrapped, for the service report: a list of
        ``ReportRow`` (kind, kind_label, product, lot, qty, uom, destination, vendor),
        the used ones first, in the worksheet's order."""
        self.ensure_one()
        kinds = dict(
            self.env["stock.move"]._fields["aftersales_line_type"]._description_selection(self.env)
        )
        # sudo: the report shows the intervention's own lines to whoever may read it
        moves = self.sudo().material_move_ids | self.sudo().pickup_move_ids
        return [
            ReportRow(
                kind=move.aftersales_line_type,
                kind_label=kinds.get(move.aftersales_line_type, ""),
                product=move.product_id.display_name,
                lot=move.aftersales_lot_id.name or "",
                qty=move.quantity if move.state == "done" else move.product_uom_qty,
                uom=move.product_uom.name,
                destination=move.location_dest_id.display_name,
                vendor=move.aftersales_vendor_id.display_name or "",
            )
            for move in moves.sorted(lambda m: (m.aftersales_line_type != "used", m.id))
        ]

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("aftersales_intervention_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_scraps(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_stock_scrap")
        action["domain"] = [("aftersales_intervention_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_create_repair(self):
        """Lab repair of a serial picked up: the ticket's own action."""
        self.ensure_one()
        if not self.ticket_id:
            raise UserError(
                self.env._("Intervention %(name)s has no ticket to repair for.", name=self.name)
            )
        return self.ticket_id.action_create_repair()
