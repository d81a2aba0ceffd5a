from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command, Domain

from .aftersales_input_guard import LINE_TEXT_LIMIT, check_text_limits


class AftersalesContractLine(models.Model):
    """One line of a contract: what it bills, what it covers, or both.

    Fee lines and covered-equipment lines are one model on purpose. A dealer bills most
    contracts per machine ("full service on serial 1234, 40 EUR a month"), so the fee and
    the coverage of a machine are one thing with one start date: a machine added in the
    middle of a period is billed pro rata from that date, and a ticket on that serial
    points at the very line that bills it. A pure fee line (a flat subscription) simply
    covers nothing, and a covered machine with no fee of its own simply has no product
    to bill. Two models would have to be kept in step on dates, quantities and renewal.
    """

    _name = "aftersales.contract.line"
    _inherit = ["aftersales.field.policy"]
    # The contract's company, customer and state copied on the line (writing them would
    # write the contract through the related field), the amount, and the coverage period.
    _system_fields = (
        "company_id",
        "partner_id",
        "contract_state",
        "price_subtotal",
        "coverage_date_start",
        "coverage_date_end",
    )
    _price_fields = ("price_unit", "price_subtotal")
    _description = "Service Contract Line"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "aftersales.contract", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.commercial_partner_id", store=True)
    contract_state = fields.Selection(related="contract_id.state", store=True, index=True)
    contract_date_end = fields.Date(related="contract_id.date_end", string="Contract End")

    # --- what it bills -------------------------------------------------
    product_id = fields.Many2one(
        "product.product",
        string="Billed Product",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        help="The service invoiced every period. Empty on a covered machine without a fee.",
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit")
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        precompute=True,
        store=True,
        readonly=False,
    )
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        precompute=True,
        store=True,
        readonly=False,
    )
    discount = fields.Float(string="Discount (%)", digits="Discount")
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        compute="_compute_tax_ids",
        precompute=True,
        store=True,
        readonly=False,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )
    price_subtotal = fields.Monetary(
        string="Amount", compute="_compute_price_subtotal", store=True, currency_field="currency_id"
    )
    date_start = fields.Date(
        string="From",
        compute="_compute_date_start",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="The line is covered and billed from this day; pro rata when it falls "
        "inside a billing period.",
    )
    date_end = fields.Date(string="Until")
    date_last_invoiced = fields.Date(
        string="Invoiced Until", readonly=True, copy=False, help="Last day already invoiced."
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale Order Line", copy=False, index="btree_not_null"
    )
    renewal_percent = fields.Float(
        string="Renewal Adjustment (%)",
        help="Price change at renewal when the contract adjusts each line by its own percentage.",
    )

    # --- what it covers ------------------------------------------------
    equipment_product_id = fields.Many2one(
        "product.product",
        string="Covered Product",
        check_company=True,
        compute="_compute_equipment_product_id",
        precompute=True,
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        check_company=True,
        index="btree_not_null",
        domain="[('product_id', '=?', equipment_product_id)]",
    )
    labour_coverage = fields.Float(string="Labour Covered (%)", default=100.0)
    parts_coverage = fields.Float(string="Parts Covered (%)", default=100.0)
    travel_coverage = fields.Float(string="Travel Covered (%)", default=100.0)
    callout_coverage = fields.Float(string="Call-out Fee Covered (%)", default=100.0)
    preventive_visits = fields.Integer(string="Preventive Visits per Year")
    response_hours = fields.Float(string="Response Time (h)", help="Working hours to respond.")
    resolution_hours = fields.Float(string="Resolution Time (h)", help="Working hours to resolve.")
    # The days the line really covers (its own dates within the contract's), stored so
    # that the database itself refuses a serial covered twice.
    coverage_date_start = fields.Date(
        string="Covered From", compute="_compute_coverage_dates", store=True, precompute=True
    )
    coverage_date_end = fields.Date(
        string="Covered Until", compute="_compute_coverage_dates", store=True, precompute=True
    )

    _quantity_positive = models.Constraint(
        "CHECK (quantity >= 0)", "The quantity of a contract line cannot be negative."
    )
    _price_positive = models.Constraint(
        "CHECK (price_unit >= 0)", "The unit price of a contract line cannot be negative."
    )
    _discount_range = models.Constraint(
        "CHECK (discount >= 0 AND discount <= 100)", "A discount must be between 0 and 100%."
    )
    _coverage_range = models.Constraint(
        "CHECK (labour_coverage BETWEEN 0 AND 100 AND parts_coverage BETWEEN 0 AND 100"
        " AND travel_coverage BETWEEN 0 AND 100 AND callout_coverage BETWEEN 0 AND 100)",
        "A coverage percentage must be between 0 and 100%.",
    )
    _sla_positive = models.Constraint(
        "CHECK (response_hours >= 0 AND resolution_hours >= 0 AND preventive_visits >= 0)",
        "Service-level targets and preventive visits cannot be negative.",
    )
    _bills_or_covers = models.Constraint(
        "CHECK (product_id IS NOT NULL OR equipment_product_id IS NOT NULL)",
        "A contract line must bill a product or cover one.",
    )
    _renewal_floor = models.Constraint(
        "CHECK (renewal_percent >= -100)", "A price adjustment cannot be below -100%."
    )
    _dates_check = models.Constraint(
        "CHECK (date_end IS NULL OR date_end >= date_start)",
        "The end date of a contract line cannot be before its start date.",
    )
    # Whoever writes (two users at once, a contract's new end date, plain SQL), a serial
    # is covered by one active contract line on any day. int4range on the serial keeps
    # to core PostgreSQL (no btree_gist extension). Written as PostgreSQL prints it back,
    # so that an upgrade finds it unchanged and does not rebuild it.
    _lot_covered_once = models.Constraint(
        "EXCLUDE USING gist (int4range(lot_id, lot_id, '[]'::text) WITH &&,"
        " daterange(coverage_date_start, coverage_date_end, '[]'::text) WITH &&)"
        " WHERE ((((contract_state)::text = 'active'::text) AND (lot_id IS NOT NULL)))",
        "A serial number cannot be covered by two active contracts on the same day.",
    )

    @api.depends("contract_id.date_start")
    def _compute_date_start(self):
        """A proposal's lines start with it; a line added to an active contract starts today."""
        today = fields.Date.context_today(self)
        for line in self:
            contract = line.contract_id
            if contract.state == "active" and line.date_start:
                continue
            if contract.state == "active":
                line.date_start = max(today, contract.date_start)
            else:
                line.date_start = contract.date_start or today

    @api.depends("date_start", "date_end", "contract_id.date_start", "contract_id.date_end")
    def _compute_coverage_dates(self):
        for line in self:
            starts = [d for d in (line.date_start, line.contract_id.date_start) if d]
            ends = [d for d in (line.date_end, line.contract_id.date_end) if d]
            line.coverage_date_start = max(starts) if starts else False
            line.coverage_date_end = min(ends) if ends else False

    @api.depends("product_id", "equipment_product_id", "lot_id")
    def _compute_name(self):
        for line in self:
            if line.name and line._origin.product_id == line.product_id and line.id:
                continue
            parts = []
            if line.product_id:
                parts.append(line.product_id.get_product_multiline_description_sale())
            if line.equipment_product_id:
                covered = line.equipment_product_id.display_name
                if line.lot_id:
                    covered = self.env._(
                        "%(product)s, S/N %(lot)s", product=covered, lot=line.lot_id.name
                    )
                parts.append(covered)
            line.name = "\n".join(parts) or line.name

    @api.depends("lot_id")
    def _compute_equipment_product_id(self):
        for line in self:
            if line.lot_id:
                line.equipment_product_id = line.lot_id.product_id

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            line.product_uom_id = line.product_id.uom_id

    @api.depends("product_id", "quantity", "contract_id.pricelist_id")
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                line.price_unit = 0.0
                continue
            pricelist = line.contract_id.pricelist_id
            if pricelist:
                line.price_unit = pricelist._get_product_price(
                    line.product_id, line.quantity or 1.0, currency=line.currency_id
                )
            else:
                line.price_unit = line.product_id.lst_price

    @api.depends("product_id", "contract_id.fiscal_position_id")
    def _compute_tax_ids(self):
        for line in self:
            taxes = line.product_id.taxes_id._filter_taxes_by_company(line.company_id)
            fpos = line.contract_id.fiscal_position_id
            line.tax_ids = fpos.map_tax(taxes) if fpos else taxes

    @api.depends("quantity", "price_unit", "discount", "currency_id")
    def _compute_price_subtotal(self):
        for line in self:
            amount = line.quantity * line.price_unit * (1 - line.discount / 100.0)
            line.price_subtotal = line.currency_id.round(amount) if line.currency_id else amount

    def _units(self):
        """The quantity the unit price is paid for, net of the discount."""
        self.ensure_one()
        return self.quantity * (1 - self.discount / 100.0)

    def _amount_at(self, price_unit):
        """The line's amount (as ``price_subtotal``) if its unit price were ``price_unit``."""
        self.ensure_one()
        return self.currency_id.round(self._units() * price_unit)

    @api.depends("contract_id.name", "name")
    def _compute_display_name(self):
        for line in self:
            first = (line.name or "").split("\n")[0]
            line.display_name = f"{line.contract_id.name} - {first}" if line.contract_id else first

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("name")
    def _check_name_length(self):
        check_text_limits(self, {"name": LINE_TEXT_LIMIT})

    @api.constrains("lot_id", "equipment_product_id")
    def _check_lot_product(self):
        for line in self.filtered("lot_id"):
            if line.lot_id.product_id != line.equipment_product_id:
                raise ValidationError(
                    self.env._(
                        "Serial %(lot)s is a %(lot_product)s, not a %(product)s.",
                        lot=line.lot_id.name,
                        lot_product=line.lot_id.product_id.display_name,
                        product=line.equipment_product_id.display_name,
                    )
                )

    @api.constrains("lot_id", "date_start", "date_end", "contract_id")
    def _check_lot_overlap(self):
        self.filtered(lambda line: line.contract_state == "active")._check_lot_not_covered_twice()

    def _check_lot_not_covered_twice(self):
        """A serial may be covered by one active contract at a time.

        The database guarantees it (``_lot_covered_once``); this check runs before the
        database can refuse, to name the contract in the way. One search finds the other
        active lines of all these serials, and each line is compared with the lines of
        its own serial only, so the work grows with the number of lines, not its square.
        """
        lines = self.filtered("lot_id")
        if not lines:
            return
        others = self.search(
            [
                ("lot_id", "in", lines.lot_id.ids),
                ("contract_state", "=", "active"),
                ("id", "not in", lines.ids),
            ]
        )
        by_lot = defaultdict(list)
        for candidate in others | lines:
            by_lot[candidate.lot_id].append(candidate)
        checked = set(lines.ids)
        for line in lines:
            start, end = line._coverage_period()
            for other in by_lot[line.lot_id]:
                if other == line or (other.id in checked and other.id < line.id):
                    continue  # the line itself, or a pair checked the other way round
                other_start, other_end = other._coverage_period()
                if other_start <= end and start <= other_end:
                    raise ValidationError(
                        self.env._(
                            "Serial %(lot)s is already covered by contract %(contract)s "
                            "in an overlapping period.",
                            lot=line.lot_id.name,
                            contract=other.contract_id.name,
                        )
                    )

    def _coverage_period(self):
        """The first and last days the line covers (an open end as the last date)."""
        self.ensure_one()
        return self.coverage_date_start, self.coverage_date_end or date.max

    # ------------------------------------------------------------------
    # The values of a contract line's preventive visit (see
    # ``aftersales_contract_preventive.py``).
    # ------------------------------------------------------------------

    def _prepare_preventive_intervention_vals(self, year_start, index, slot):
        self.ensure_one()
        contract = self.contract_id
        partner = contract.partner_id
        what = self.lot_id.name or self.equipment_product_id.display_name or contract.name
        return {
            "summary": self.env._(
                "Preventive visit %(index)s/%(count)s - %(what)s",
                index=index,
                count=self.preventive_visits,
                what=what,
            ),
            "intervention_type": "preventive",
            "company_id": contract.company_id.id,
            "partner_id": partner.id,
            "site_partner_id": partner.address_get(["delivery"])["delivery"],
            "lot_id": self.lot_id.id,
            "lot_ids": [Command.set(self.lot_id.ids)],
            "product_id": self.equipment_product_id.id,
            "contract_id": contract.id,
            "contract_line_id": self.id,
            "preventive_line_id": self.id,
            "preventive_year_start": year_start,
            "preventive_index": index,
            "date_planned_start": slot[0],
            "date_planned_end": slot[1],
            "user_id": contract.user_id.id,
        }

    # ------------------------------------------------------------------
    # What the help desk asks of a contract line.
    # ------------------------------------------------------------------

    ticket_ids = fields.One2many("aftersales.ticket", "contract_line_id", string="Tickets")

    # The rule "this line covers this serial (or this product) for this customer on this
    # day", written once: as a domain for a batch of records, and as its Python twin for
    # one line. Both read the stored days the line covers, as the database's
    # ``_lot_covered_once`` does.

    @api.model
    def _covering_domain_batch(self, partners, day, lots=None, products=None):
        """Active lines covering, on ``day``, the serials ``lots`` (or the products
        ``products`` of lines without a serial) for the customers ``partners``.

        One compact domain for many records: every customer with every serial, a
        superset when there are several; ``_covers`` then tells which line covers what.
        (An OR of one exact domain per record costs more to build than to run.)"""
        domain = (
            Domain("contract_state", "=", "active")
            & Domain("partner_id", "in", partners.commercial_partner_id.ids)
            & Domain("coverage_date_start", "<=", day)
            & (Domain("coverage_date_end", "=", False) | Domain("coverage_date_end", ">=", day))
        )
        if lots is not None:
            return domain & Domain("lot_id", "in", lots.ids)
        return (
            domain
            & Domain("lot_id", "=", False)
            & Domain("equipment_product_id", "in", products.ids)
        )

    def _covers(self, partner, day, lot=None, product=None):
        """Whether this line covers ``lot`` (or ``product``) for ``partner`` on ``day``:
        ``_covering_domain_batch`` for one line, one customer and one serial."""
        self.ensure_one()
        if self.partner_id != partner.commercial_partner_id or self.contract_state != "active":
            return False
        start, end = self._coverage_period()
        if not start <= day <= end:
            return False
        if lot:
            return self.lot_id == lot
        return not self.lot_id and self.equipment_product_id == product
