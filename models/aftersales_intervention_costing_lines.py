from collections import defaultdict

from odoo import fields, models
from odoo.tools import float_compare, float_is_zero

from .aftersales_intervention_time import LABOUR_KINDS

# Interventions made at the customer's: they have a call-out fee and travel.
ON_SITE_TYPES = ("corrective", "preventive", "installation")

PRICE_CACHE = "aftersales_charge_material_prices"

# Expenses that become charge lines: every state but refused. A technician files the
# expense during the visit, often still in draft when the intervention is finished and
# its charges computed; a refused expense drops out at the next computation.
CHARGED_EXPENSE_STATES = ("draft", "submitted", "approved", "posted", "in_payment", "paid")


class AftersalesIntervention(models.Model):
    """The charge lines each kind of work gives, before coverage: labour, per diem,
    call-out and travel, materials, subcontracting and expenses, each from the standard
    record it comes from (timesheet lines, odometer, stock moves, purchase orders,
    expenses). ``aftersales_intervention_costing.py`` splits and writes them.

    Labour and travel time are priced per kind of hours (normal, overtime, holiday).
    The rate card's minimum billable time and rounding apply once per call and per
    line: the hours of one kind (of work, or of travel) of every technician and every
    day of the intervention are summed, then billed as ``_labour_amount`` says (at
    least the minimum, rounded up to the unit). Two technicians working an hour each
    bill two hours, not two minimums."""

    _inherit = "aftersales.intervention"

    def _prepare_charge_vals_list(self):
        """Labour and per diem, then call-out and travel (on site only), then materials
        and subcontracting, then expenses."""
        vals_list = super()._prepare_charge_vals_list()
        vals_list += self._prepare_time_charge_vals_list()
        vals_list += self._prepare_per_diem_charge_vals_list()
        if self.intervention_type in ON_SITE_TYPES:
            vals_list += self._prepare_callout_charge_vals_list()
            vals_list += self._prepare_travel_charge_vals_list()
        vals_list += self._prepare_material_charge_vals_list()
        vals_list += self._prepare_subcontract_charge_vals_list()
        vals_list += self._prepare_expense_charge_vals_list()
        return vals_list

    def _timesheet_hours(self):
        """{(time type, hour kind): hours} of this intervention's timesheet lines."""
        self.ensure_one()
        hours = defaultdict(float)
        for line in self.sudo().timesheet_ids:
            if line.aftersales_time_type:
                key = (line.aftersales_time_type, line.aftersales_hour_kind or "normal")
                hours[key] += line.unit_amount
        return hours

    def _prepare_time_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        kind_labels = dict(LABOUR_KINDS)
        hours_by_key = self._timesheet_hours()
        vals_list = []
        for time_type in ("travel", "work"):
            for hour_kind, __ in LABOUR_KINDS:
                hours = hours_by_key.get((time_type, hour_kind))
                if not hours:
                    continue
                travel = time_type == "travel"
                if card:
                    quantity = card._billable_hours(hours)
                    price = card._labour_rate(hour_kind, travel)
                    product = card._labour_product(hour_kind, travel)
                else:  # no rate card: the hours and their cost, nothing to bill
                    quantity, price, product = hours, 0.0, self.env["product.product"]
                label = (
                    self.env._("Travel time (%s)", kind_labels[hour_kind])
                    if travel
                    else self.env._("Labour (%s)", kind_labels[hour_kind])
                )
                vals_list.append(
                    {
                        "kind": "travel_time" if travel else "labour",
                        "labour_kind": hour_kind,
                        "name": label,
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        "worked_hours": hours,
                    }
                )
        return vals_list

    def _per_diem_count(self, card):
        """Days earning a per diem: the worksheet's per diem days when entered, else each
        technician's day away (work and travel hours) long enough for the rate card."""
        self.ensure_one()
        if self.per_diem_days:
            return self.per_diem_days
        if not card.per_diem_min_hours or card.per_diem_overnight_only:
            return 0.0
        days = defaultdict(float)
        for line in self.sudo().timesheet_ids:
            if line.aftersales_time_type:
                days[line.employee_id, line.date] += line.unit_amount
        return card._per_diem_days([(hours, False) for hours in days.values()])

    def _prepare_per_diem_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        if not card or not card.per_diem_price:
            return []
        count = self._per_diem_count(card)
        if not count:
            return []
        return [
            {
                "kind": "per_diem",
                "name": self.env._("Per diem"),
                "product_id": card.per_diem_product_id.id,
                "quantity": count,
                "price_unit": card.per_diem_price,
            }
        ]

    # ------------------------------------------------------------------
    # Charges of going to the customer: the call-out fee and the travel, per km, per
    # zone or flat per trip (the rate card's travel mode); the kilometres are the
    # vehicle's odometer, else the worksheet's ``travel_km``. Their cost is the
    # kilometres at the vehicle's cost per km (the company's default without a vehicle).
    # Remote sessions and lab jobs have neither.
    # ------------------------------------------------------------------

    def _aftersales_km(self):
        self.ensure_one()
        return self.odometer_km or self.travel_km

    def _aftersales_km_cost(self):
        """The cost of the intervention's kilometres."""
        self.ensure_one()
        km = self._aftersales_km()
        if not km:
            return 0.0
        if self.vehicle_id:
            return self.vehicle_id.sudo()._aftersales_km_cost(km)
        company = self.company_id
        return company.currency_id.round(km * company.aftersales_vehicle_cost_per_km)

    def _prepare_callout_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        if not card.callout_fee:
            return []
        return [
            {
                "kind": "callout",
                "name": self.env._("Call-out fee"),
                "product_id": card.callout_product_id.id,
                "quantity": 1.0,
                "price_unit": card.callout_fee,
            }
        ]

    def _prepare_travel_charge_vals_list(self):
        """One travel line: km × price per km, one trip at its zone's price, or one
        flat trip. Without a rate card, the kilometres still make a line, for their cost."""
        self.ensure_one()
        card = self.rate_card_id
        km = self._aftersales_km()
        name = self.env._("Travel: %(km)s km", km="%g" % km)
        quantity, price = km, 0.0
        if card.travel_mode == "km":
            price = card.travel_km_price
        elif card.travel_mode == "zone" and km:
            zone = card._zone_for(km)
            quantity, price = 1.0, zone.price
            name = self.env._("Travel: zone %(zone)s (%(km)s km)", zone=zone.name, km="%g" % km)
        elif card.travel_mode == "flat" and card.travel_flat_price:
            quantity, price = 1.0, card.travel_flat_price
            name = self.env._("Travel: flat rate per trip")
        if not quantity:
            return []
        return [
            {
                "kind": "travel",
                "name": name,
                "product_id": card.travel_product_id.id,
                "quantity": quantity,
                "price_unit": price,
            }
        ]

    # ------------------------------------------------------------------
    # Charges of what was used or bought: the materials used (the done stock moves of
    # the intervention's delivery), at the customer's pricelist price, costing their stock
    # valuation; and the subcontractor's work, one line per purchase order line.
    #
    # Subcontracting is re-invoiced at the agreed price: the purchase order line's unit
    # price (converted to the company's currency) is both what the customer is charged
    # and, with its subtotal, what it costs; a margin on it is a manager's adjustment.
    # Its coverage is labour's.
    # ------------------------------------------------------------------

    def _charge_material_moves(self):
        self.ensure_one()
        return self.sudo().material_move_ids.filtered(lambda m: m.state == "done" and m.quantity)

    def _compute_charges(self):
        # the pricelist prices of the whole batch at once, read back line by line
        cache = self.env.cr.cache
        cache[PRICE_CACHE] = self._material_prices()
        try:
            return super()._compute_charges()
        finally:
            cache.pop(PRICE_CACHE, None)

    def _material_prices(self):
        """{move id: unit price in the product's unit} of the materials of ``self``,
        through their customers' pricelists, in the company's currency: one pricelist
        computation per pricelist, quantity and day, whatever the batch size."""
        groups = defaultdict(lambda: self.env["stock.move"])
        for intervention in self.sudo():
            pricelist = intervention.commercial_partner_id.with_company(
                intervention.company_id
            ).property_product_pricelist
            day = fields.Date.context_today(intervention, intervention.date_end)
            for move in intervention._charge_material_moves():
                qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                groups[pricelist, intervention.company_id, qty, day] |= move
        prices = {}
        for (pricelist, company, qty, day), moves in groups.items():
            found = pricelist.with_company(company)._compute_price_rule(
                moves.product_id, qty, currency=company.currency_id, date=day
            )
            for move in moves:
                prices[move.id] = found[move.product_id.id][0]
        return prices

    def _prepare_material_charge_vals_list(self):
        self.ensure_one()
        moves = self._charge_material_moves()
        if not moves:
            return []
        prices = self.env.cr.cache.get(PRICE_CACHE) or {}
        if any(move.id not in prices for move in moves):
            prices = self._material_prices()
        vals_list = []
        for move in moves:
            product = move.product_id
            name = product.display_name
            if move.aftersales_lot_id:
                name = f"{name} ({move.aftersales_lot_id.name})"
            vals_list.append(
                {
                    "kind": "material",
                    "name": name,
                    "product_id": product.id,
                    "quantity": move.product_uom._compute_quantity(move.quantity, product.uom_id),
                    "price_unit": prices[move.id],
                    "stock_move_id": move.id,
                }
            )
        return vals_list

    def _prepare_subcontract_charge_vals_list(self):
        self.ensure_one()
        orders = self.sudo().purchase_order_ids.filtered(lambda o: o.state != "cancel")
        vals_list = []
        for line in orders.order_line.filtered(lambda line: not line.display_type):
            order = line.order_id
            price = line.currency_id._convert(
                line.price_unit,
                self.company_id.currency_id,
                self.company_id,
                order.date_approve or order.date_order or fields.Date.today(),
            )
            vals_list.append(
                {
                    "kind": "subcontract",
                    "name": f"{order.partner_id.name}: {line.name}",
                    "product_id": line.product_id.id,
                    "quantity": line.product_qty,
                    "price_unit": price,
                    "purchase_line_id": line.id,
                }
            )
        return vals_list

    # ------------------------------------------------------------------
    # Expense notes: the technicians' ``hr.expense`` lines linked to the intervention.
    #
    # Each linked expense that is not refused is one charge line of kind "expense". Its
    # ``cost`` is the expense's untaxed total in the company's currency, always: also when
    # the expense is not re-invoiced and when the intervention is fully covered. Its price
    # follows Odoo's re-invoice policy of the expense's product (``expense_policy``, from
    # ``sale``): "No" is not billed (price 0), "At cost" bills the untaxed amount,
    # "Sales price" bills the product's price in the customer's pricelist times the
    # quantity. The charge line is the expense's only re-invoice path (``hr_expense.py``).
    # ------------------------------------------------------------------

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
