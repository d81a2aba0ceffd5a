from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

SALES = "sales_team.group_sale_salesman"
STOCK = "stock.group_stock_user"


class AftersalesTicket(models.Model):
    """What a ticket leads to: a quotation, a material return, a lab repair.

    Each record is made from a ``_prepare_<thing>_vals()`` hook and linked both ways.
    The on-site intervention of the interventions issue plugs in through
    ``_prepare_intervention_vals()`` (``aftersales_ticket.py``).
    """

    _inherit = "aftersales.ticket"

    # Each document shows to the users of its own app only.
    sale_order_ids = fields.One2many(
        "sale.order", "aftersales_ticket_id", string="Quotations", groups=SALES
    )
    picking_ids = fields.One2many(
        "stock.picking", "aftersales_ticket_id", string="Returns", groups=STOCK
    )
    repair_ids = fields.One2many(
        "repair.order", "aftersales_ticket_id", string="Repairs", groups=STOCK
    )
    sale_order_count = fields.Integer(compute="_compute_sale_order_count", groups=SALES)
    picking_count = fields.Integer(compute="_compute_picking_count", groups=STOCK)
    repair_count = fields.Integer(compute="_compute_repair_count", groups=STOCK)
    is_under_warranty_repair = fields.Boolean(
        string="Free of Charge",
        compute="_compute_is_under_warranty_repair",
        help="Returns and repairs of this call are under warranty or covered by a contract.",
    )

    @api.depends("sale_order_ids")
    def _compute_sale_order_count(self):
        for ticket in self:
            ticket.sale_order_count = len(ticket.sale_order_ids)

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for ticket in self:
            ticket.picking_count = len(ticket.picking_ids)

    @api.depends("repair_ids")
    def _compute_repair_count(self):
        for ticket in self:
            ticket.repair_count = len(ticket.repair_ids)

    @api.depends("coverage_kind", "contract_line_id.parts_coverage")
    def _compute_is_under_warranty_repair(self):
        for ticket in self:
            ticket.is_under_warranty_repair = ticket.coverage_kind == "warranty" or (
                ticket.coverage_kind == "contract"
                and ticket.contract_line_id.parts_coverage >= 100.0
            )

    # ------------------------------------------------------------------
    # Quotation
    # ------------------------------------------------------------------
    def _coverage_percent(self, concern):
        """Share (0-100) of ``concern`` (labour, callout, parts, travel) already covered."""
        self.ensure_one()
        if self.coverage_kind == "contract" and self.contract_line_id:
            return self.contract_line_id[f"{concern}_coverage"]
        if self.coverage_kind == "warranty" and concern in ("labour", "parts"):
            return 100.0
        return 0.0

    def _prepare_sale_order_vals(self):
        self.ensure_one()
        team = self.team_id
        if not (team.callout_product_id or team.labour_product_id):
            raise UserError(
                self.env._(
                    "Set the call-out fee and labour products on team %(team)s first.",
                    team=team.name or "-",
                )
            )
        lines = []
        if team.callout_product_id:
            lines.append((team.callout_product_id, 1.0, self._coverage_percent("callout")))
        if team.labour_product_id:
            lines.append(
                (team.labour_product_id, team.labour_hours or 1.0, self._coverage_percent("labour"))
            )
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "aftersales_ticket_id": self.id,
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": qty, "discount": discount}
                )
                for product, qty, discount in lines
            ],
        }

    def action_create_quotation(self):
        orders = self.env["sale.order"].create([t._prepare_sale_order_vals() for t in self])
        for ticket in self:
            ticket.message_post(
                body=self.env._(
                    "Quotation %(order)s created.",
                    order=orders.filtered(lambda o, t=ticket: o.aftersales_ticket_id == t).name,
                )
            )
        return self._open_records(orders, self.env._("Quotations"))

    # ------------------------------------------------------------------
    # Material return
    # ------------------------------------------------------------------
    def _return_picking_type(self):
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        if not warehouse:
            raise UserError(
                self.env._("Company %(company)s has no warehouse.", company=self.company_id.name)
            )
        return warehouse.in_type_id

    def _prepare_return_picking_vals(self):
        self.ensure_one()
        if not self.lot_id:
            raise UserError(
                self.env._("Ticket %(ticket)s has no serial to bring back.", ticket=self.name)
            )
        picking_type = self._return_picking_type()
        source = self.env.ref("stock.stock_location_customers")
        destination = self.team_id.return_location_id or picking_type.default_location_dest_id
        product = self.lot_id.product_id
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.name,
            "aftersales_ticket_id": self.id,
            "aftersales_under_warranty": self.is_under_warranty_repair,
            "move_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1.0,
                        "product_uom": product.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                )
            ],
        }

    def action_create_return(self):
        pickings = self.env["stock.picking"].create(
            [t._prepare_return_picking_vals() for t in self]
        )
        pickings.action_confirm()
        for picking in pickings:
            lot = picking.aftersales_ticket_id.lot_id
            picking.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": 1.0})
        return self._open_records(pickings, self.env._("Returns"))

    # ------------------------------------------------------------------
    # Lab repair
    # ------------------------------------------------------------------
    def _prepare_repair_vals(self):
        self.ensure_one()
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %(ticket)s has no equipment to repair.", ticket=self.name)
            )
        vals = {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "under_warranty": self.is_under_warranty_repair,
            "internal_notes": self.description,
            "aftersales_ticket_id": self.id,
        }
        if self.team_id.return_location_id:
            vals["location_id"] = self.team_id.return_location_id.id
        return vals

    def action_create_repair(self):
        repairs = self.env["repair.order"].create([t._prepare_repair_vals() for t in self])
        return self._open_records(repairs, self.env._("Repairs"))

    # ------------------------------------------------------------------
    # On-site intervention (interventions issue)
    # ------------------------------------------------------------------
    def _prepare_intervention_vals(self):
        """Values of the intervention planned from this ticket: the customer, the site,
        the serial and the team; the coverage follows the ticket's by compute, and the
        ticket's technician goes as the employee of the ticket's company."""
        self.ensure_one()
        return {
            "ticket_id": self.id,
            "summary": self.subject,
            "partner_id": self.partner_id.id,
            "lot_id": self.lot_id.id,
            "lot_ids": [Command.set(self.lot_id.ids)],
            "product_id": self.product_id.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "employee_ids": [Command.set(self._intervention_employee().ids)],
            "description": self.description,
        }

    def _intervention_employee(self):
        """The ticket's technician as an employee of the ticket's company, if any."""
        self.ensure_one()
        if not self.user_id:
            return self.env["hr.employee"]
        # sudo: one look-up of the employee, with what the new intervention reads of him
        # (active, company and user for its checks, the van it takes), not the user's
        # employees through the public employee records and the user's record rules
        return (
            self.env["hr.employee"]
            .sudo()
            .search_fetch(
                [("user_id", "=", self.user_id.id), ("company_id", "=", self.company_id.id)],
                ["active", "company_id", "user_id", "aftersales_location_id"],
                limit=1,
            )
            .sudo(False)
        )

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def _open_records(self, records, name):
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": records._name,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "context": {"create": False},
        }
        if len(records) == 1:
            action.update(view_mode="form", res_id=records.id, views=[(False, "form")])
        return action

    def action_view_sale_orders(self):
        return self._open_records(self.sale_order_ids, self.env._("Quotations"))

    def action_view_pickings(self):
        return self._open_records(self.picking_ids, self.env._("Returns"))

    def action_view_repairs(self):
        return self._open_records(self.repair_ids, self.env._("Repairs"))
