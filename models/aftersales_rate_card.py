import math

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .aftersales_intervention_time import LABOUR_KINDS

RATE_MODES = [("price", "Own price"), ("uplift", "% on the normal rate")]


class AftersalesRateCard(models.Model):
    """What a service call costs the customer: call-out fee, travel, per diem and the
    hourly rates of each kind of labour, with the product that invoices each price.

    The card that applies to a call is the contract's, else the customer's, else the
    company's default (``_resolve``). The ``_*_amount`` helpers are pure pricing
    functions; the charge lines of an intervention call them.
    """

    _name = "aftersales.rate.card"
    _inherit = ["aftersales.field.policy"]
    # The prices a customer is charged, read by the technicians who quote them.
    _price_fields = (
        "callout_fee",
        "travel_km_price",
        "travel_flat_price",
        "per_diem_price",
        "hourly_rate",
        "travel_hourly_rate",
        "overtime_rate",
        "holiday_rate",
    )
    _description = "Service Rate Card"
    _order = "company_id, sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    is_company_default = fields.Boolean(
        string="Company Default",
        help="Applies to every call whose contract and customer have no rate card of their own.",
    )
    # --- call-out -----------------------------------------------------------
    callout_fee = fields.Monetary(string="Call-out Fee")
    callout_product_id = fields.Many2one(
        "product.product", string="Call-out Product", check_company=True
    )
    # --- travel ---------------------------------------------------------------
    travel_mode = fields.Selection(
        [("km", "Per km"), ("zone", "Per zone"), ("flat", "Flat per trip")],
        required=True,
        default="km",
    )
    travel_km_price = fields.Monetary(string="Price per km")
    travel_flat_price = fields.Monetary(string="Price per Trip")
    travel_zone_ids = fields.One2many(
        "aftersales.rate.card.zone", "rate_card_id", string="Travel Zones", copy=True
    )
    travel_product_id = fields.Many2one("product.product", check_company=True)
    # --- per diem -----------------------------------------------------------
    per_diem_price = fields.Monetary(string="Per Diem")
    per_diem_min_hours = fields.Float(
        string="Per Diem after (h away)",
        help="A day away from the base for at least these hours earns a per diem.",
    )
    per_diem_overnight_only = fields.Boolean(
        string="Per Diem Only with Overnight Stay",
        help="Only days ending with a night away earn a per diem, whatever the hours.",
    )
    per_diem_product_id = fields.Many2one("product.product", check_company=True)
    # --- labour -----------------------------------------------------------------
    hourly_rate = fields.Monetary()
    labour_product_id = fields.Many2one("product.product", check_company=True)
    travel_hourly_rate = fields.Monetary(
        string="Travel Time Rate", help="Price of an hour spent travelling."
    )
    travel_time_product_id = fields.Many2one("product.product", check_company=True)
    overtime_mode = fields.Selection(RATE_MODES, required=True, default="uplift")
    overtime_rate = fields.Monetary()
    overtime_uplift = fields.Float(string="Overtime Uplift (%)", default=50.0)
    overtime_product_id = fields.Many2one("product.product", check_company=True)
    holiday_mode = fields.Selection(RATE_MODES, required=True, default="uplift")
    holiday_rate = fields.Monetary()
    holiday_uplift = fields.Float(string="Holiday Uplift (%)", default=100.0)
    holiday_product_id = fields.Many2one("product.product", check_company=True)
    min_billable_minutes = fields.Integer(
        string="Minimum Billable Time (min)",
        default=60,
        help="A call's labour shorter than this is billed as this.",
    )
    rounding_minutes = fields.Integer(
        string="Rounding Unit (min)",
        default=15,
        help="Billable time is rounded up to a multiple of this unit.",
    )

    _prices_positive = models.Constraint(
        "CHECK (callout_fee >= 0 AND travel_km_price >= 0 AND travel_flat_price >= 0"
        " AND per_diem_price >= 0 AND per_diem_min_hours >= 0 AND hourly_rate >= 0"
        " AND travel_hourly_rate >= 0 AND overtime_rate >= 0 AND holiday_rate >= 0)",
        "The prices of a rate card cannot be negative.",
    )
    _uplifts_positive = models.Constraint(
        "CHECK (overtime_uplift >= 0 AND holiday_uplift >= 0)",
        "An overtime or holiday uplift cannot be below 0%.",
    )
    _rounding_positive = models.Constraint(
        "CHECK (rounding_minutes > 0 AND min_billable_minutes >= 0)",
        "The rounding unit must be at least one minute, and the minimum time cannot be negative.",
    )
    _one_default_per_company = models.UniqueIndex(
        "(company_id) WHERE is_company_default AND active",
        "A company has only one default rate card.",
    )

    # Which product invoices which price: (price field(s), product field).
    _PRICE_PRODUCTS = (
        (("callout_fee",), "callout_product_id"),
        (("travel_km_price", "travel_flat_price"), "travel_product_id"),
        (("per_diem_price",), "per_diem_product_id"),
        (("hourly_rate",), "labour_product_id"),
        (("travel_hourly_rate",), "travel_time_product_id"),
        (("overtime_rate",), "overtime_product_id"),
        (("holiday_rate",), "holiday_product_id"),
    )

    @api.constrains(
        "callout_fee",
        "callout_product_id",
        "travel_km_price",
        "travel_flat_price",
        "travel_product_id",
        "per_diem_price",
        "per_diem_product_id",
        "hourly_rate",
        "labour_product_id",
        "travel_hourly_rate",
        "travel_time_product_id",
        "overtime_rate",
        "overtime_product_id",
        "holiday_rate",
        "holiday_product_id",
    )
    def _check_products(self):
        """Each price is invoiced through a product, which gives its taxes and accounts."""
        for card in self:
            for price_fields, product_field in self._PRICE_PRODUCTS:
                if any(card[f] for f in price_fields) and not card[product_field]:
                    raise ValidationError(
                        self.env._(
                            "Rate card %(card)s: the price “%(price)s” needs a product to be "
                            "invoiced with (field “%(product)s”).",
                            card=card.name,
                            price=card._fields[price_fields[0]].get_description(self.env)["string"],
                            product=card._fields[product_field].get_description(self.env)["string"],
                        )
                    )

    # ------------------------------------------------------------------
    # Resolution
    # ------------------------------------------------------------------
    @api.model
    def _resolve_batch(self, keys):
        """The rate card of each ``(contract, partner, company)`` in ``keys``: the
        contract's, then the customer's commercial entity's (when it belongs to that
        company), then the company's default. Returns ``{key: card}`` (an empty record
        when none applies). One query for the company defaults, whatever the batch size."""
        keys = list(keys)
        companies = self.env["res.company"].union(*(company for __, __, company in keys))
        defaults = {
            card.company_id: card
            for card in self.search(
                [("company_id", "in", companies.ids), ("is_company_default", "=", True)]
            )
        }
        result = {}
        for key in keys:
            contract, partner, company = key
            card = contract.rate_card_id if contract else self.browse()
            if not card and partner:
                # company-dependent: the customer's card in that company
                partner_card = partner.commercial_partner_id.with_company(
                    company
                ).aftersales_rate_card_id
                if partner_card.company_id == company:
                    card = partner_card
            result[key] = card or defaults.get(company, self.browse())
        return result

    @api.model
    def _resolve(self, contract, partner, company):
        """The rate card of one call; see ``_resolve_batch``."""
        key = (contract, partner, company)
        return self._resolve_batch([key])[key]

    # ------------------------------------------------------------------
    # Pricing helpers (pure: they read the card and compute, nothing else)
    # ------------------------------------------------------------------
    def _billable_hours(self, hours):
        """The hours billed for ``hours`` worked: at least the minimum billable time,
        rounded up to the rounding unit. No work, nothing billed."""
        self.ensure_one()
        if hours < 0:
            raise UserError(self.env._("Worked time cannot be negative."))
        minutes = round(hours * 60.0, 6)
        if not minutes:
            return 0.0
        minutes = max(minutes, self.min_billable_minutes)
        units = math.ceil(minutes / self.rounding_minutes - 1e-9)
        return units * self.rounding_minutes / 60.0

    def _labour_rate(self, kind="normal", travel=False):
        """The price of an hour of ``kind`` (normal, overtime, holiday), of work or of
        travel. A % uplift raises the work or travel rate; an own price is the price of
        an hour of work of that kind, and travel time then stays at the travel rate."""
        self.ensure_one()
        base = self.travel_hourly_rate if travel else self.hourly_rate
        if kind == "normal":
            return base
        if kind not in dict(LABOUR_KINDS):
            raise UserError(self.env._("Unknown kind of labour: %s.", kind))
        if self[f"{kind}_mode"] == "uplift":
            return self.currency_id.round(base * (1 + self[f"{kind}_uplift"] / 100.0))
        return base if travel else self[f"{kind}_rate"]

    def _labour_product(self, kind="normal", travel=False):
        self.ensure_one()
        if travel:
            return self.travel_time_product_id
        return {
            "normal": self.labour_product_id,
            "overtime": self.overtime_product_id or self.labour_product_id,
            "holiday": self.holiday_product_id or self.labour_product_id,
        }[kind]

    def _labour_amount(self, hours, kind="normal", travel=False):
        """(billable hours, amount) of ``hours`` of one kind of labour."""
        billable = self._billable_hours(hours)
        return billable, self.currency_id.round(billable * self._labour_rate(kind, travel))

    def _travel_amount(self, km=0.0, trips=1):
        """The travel charge of ``trips`` trips of ``km`` km each (the distance of one
        trip, there and back), per the card's travel mode."""
        self.ensure_one()
        if km < 0 or trips < 0:
            raise UserError(self.env._("Distances and trips cannot be negative."))
        if self.travel_mode == "km":
            amount = km * trips * self.travel_km_price
        elif self.travel_mode == "flat":
            amount = trips * self.travel_flat_price
        else:
            amount = trips * self._zone_for(km).price
        return self.currency_id.round(amount)

    def _zone_for(self, km):
        self.ensure_one()
        zone = self.travel_zone_ids.sorted("max_km").filtered(lambda z: z.max_km >= km)[:1]
        if not zone:
            raise UserError(
                self.env._(
                    "Rate card %(card)s has no travel zone for a trip of %(km)s km.",
                    card=self.name,
                    km="%g" % km,
                )
            )
        return zone

    def _per_diem_days(self, days):
        """How many of ``days`` earn a per diem; each day is ``(hours_away, overnight)``."""
        self.ensure_one()
        if self.per_diem_overnight_only:
            return sum(1 for __, overnight in days if overnight)
        return sum(1 for hours, overnight in days if overnight or hours >= self.per_diem_min_hours)

    def _per_diem_amount(self, days):
        """(days earning a per diem, amount) of ``days`` (see ``_per_diem_days``)."""
        count = self._per_diem_days(days)
        return count, self.currency_id.round(count * self.per_diem_price)
