import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestRateCard(AftersalesCase):
    """Rate cards: resolution order, pricing helpers computed to the cent, bad input."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.labour_product = cls.env["product.product"].create(
            {"name": "Labour (test)", "type": "service", "list_price": 45.0}
        )
        cls.card = cls._create_card("Standard")
        cls.card_vip = cls._create_card("VIP", hourly_rate=40.0)
        cls.card_default = cls._create_card("Company default", is_company_default=True)

    @classmethod
    def _create_card(cls, name, **vals):
        product = cls.labour_product.id
        return cls.env["aftersales.rate.card"].create(
            {
                "name": name,
                "callout_fee": 35.0,
                "callout_product_id": product,
                "travel_mode": "km",
                "travel_km_price": 0.55,
                "travel_product_id": product,
                "per_diem_price": 48.5,
                "per_diem_min_hours": 8.0,
                "per_diem_product_id": product,
                "hourly_rate": 45.0,
                "labour_product_id": product,
                "travel_hourly_rate": 30.0,
                "travel_time_product_id": product,
                "overtime_mode": "uplift",
                "overtime_uplift": 50.0,
                "holiday_mode": "price",
                "holiday_rate": 90.0,
                "holiday_product_id": product,
                "min_billable_minutes": 60,
                "rounding_minutes": 15,
                **vals,
            }
        )

    # ------------------------------------------------------------------
    # Resolution: contract, then customer, then company default
    # ------------------------------------------------------------------
    def test_resolution_order(self):
        Card = self.env["aftersales.rate.card"]
        contract = self._create_contract(rate_card_id=self.card.id)
        bare_contract = self._create_contract()
        self.customer.aftersales_rate_card_id = self.card_vip
        company = self.company
        self.assertEqual(Card._resolve(contract, self.customer, company), self.card)
        # the customer's card, also when the call comes from one of its contacts
        self.assertEqual(
            Card._resolve(bare_contract, self.customer_contact, company), self.card_vip
        )
        self.assertEqual(Card._resolve(False, self.customer_other, company), self.card_default)
        # a card of another company on the customer does not apply there
        self.assertFalse(Card._resolve(False, self.customer, self.company_b))
        self.card_default.is_company_default = False
        self.assertFalse(Card._resolve(False, self.customer_other, company))

    def test_resolution_batch_queries_flat(self):
        Card = self.env["aftersales.rate.card"]
        partners = self.env["res.partner"].create(
            [{"name": f"Bar {i}", "aftersales_rate_card_id": self.card.id} for i in range(20)]
        )
        keys = [(False, partner, self.company) for partner in partners]
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            result = Card._resolve_batch(keys[:2])
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            result = Card._resolve_batch(keys)
        self.assertEqual(set(result.values()), {self.card})

    # ------------------------------------------------------------------
    # Pricing helpers, computed by hand
    # ------------------------------------------------------------------
    def test_billable_hours_minimum_and_rounding(self):
        card = self.card  # minimum 60 min, rounding 15 min (rounded up)
        self.assertEqual(card._billable_hours(0.0), 0.0)
        self.assertEqual(card._billable_hours(0.3), 1.0)  # 18 min -> minimum 60 min
        self.assertEqual(card._billable_hours(1.3), 1.5)  # 78 min -> 90 min
        self.assertEqual(card._billable_hours(2.25), 2.25)  # exactly 135 min
        self.assertEqual(card._billable_hours(1.01), 1.25)  # 60.6 min -> 75 min
        card.write({"rounding_minutes": 30, "min_billable_minutes": 0})
        self.assertEqual(card._billable_hours(0.1), 0.5)  # 6 min -> 30 min
        with self.assertRaises(UserError):
            card._billable_hours(-1.0)

    def test_labour_amounts_per_kind(self):
        card = self.card
        # normal: 1 h 18 min -> 1.5 h x 45.00 = 67.50
        self.assertEqual(card._labour_amount(1.3), (1.5, 67.5))
        # overtime on a Saturday: 2 h 40 min -> 2.75 h x (45.00 + 50%) = 2.75 x 67.50 = 185.625
        self.assertEqual(card._labour_amount(160 / 60, "overtime"), (2.75, 185.63))
        # holiday at its own price: 1.5 h x 90.00
        self.assertEqual(card._labour_amount(1.5, "holiday"), (1.5, 135.0))
        # travel time: normal 30.00, overtime uplifted 45.00, holiday price is for work only
        self.assertEqual(card._labour_rate("normal", travel=True), 30.0)
        self.assertEqual(card._labour_rate("overtime", travel=True), 45.0)
        self.assertEqual(card._labour_rate("holiday", travel=True), 30.0)
        card.write(
            {
                "overtime_mode": "price",
                "overtime_rate": 70.0,
                "overtime_product_id": self.labour_product.id,
            }
        )
        self.assertEqual(card._labour_amount(2.0, "overtime"), (2.0, 140.0))
        with self.assertRaises(UserError):
            card._labour_rate("night")

    def test_travel_per_km_zone_and_flat(self):
        card = self.card
        # 87.3 km x 0.55 = 48.015 -> 48.02
        self.assertEqual(card._travel_amount(87.3), 48.02)
        card.write(
            {
                "travel_mode": "zone",
                "travel_zone_ids": [
                    Command.create({"name": "City", "max_km": 20.0, "price": 25.0}),
                    Command.create({"name": "Province", "max_km": 50.0, "price": 40.0}),
                ],
            }
        )
        self.assertEqual(card._travel_amount(20.0), 25.0)  # the boundary is in the zone
        self.assertEqual(card._travel_amount(35.0, trips=2), 80.0)
        with self.assertRaisesRegex(UserError, "no travel zone"):
            card._travel_amount(60.0)
        card.write({"travel_mode": "flat", "travel_flat_price": 30.0})
        self.assertEqual(card._travel_amount(500.0, trips=3), 90.0)
        with self.assertRaises(UserError):
            card._travel_amount(-5.0)

    def test_per_diem_conditions(self):
        card = self.card
        days = [(9.0, False), (5.0, False), (3.0, True)]
        # 9 h away (>= 8 h) and the night away count, 5 h does not: 2 x 48.50
        self.assertEqual(card._per_diem_amount(days), (2, 97.0))
        card.per_diem_overnight_only = True
        self.assertEqual(card._per_diem_amount(days), (1, 48.5))

    def test_vehicle_cost_per_km(self):
        self.company.aftersales_vehicle_cost_per_km = 0.25
        brand = self.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = self.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        van = self.env["fleet.vehicle"].create(
            {"model_id": model.id, "license_plate": "GA123BC", "company_id": self.company.id}
        )
        self.assertEqual(van._aftersales_km_cost(120.0), 30.0)  # company default 0.25
        van.aftersales_cost_per_km = 0.32
        self.assertEqual(van._aftersales_km_cost(120.0), 38.4)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            van.aftersales_cost_per_km = -0.1
            van.flush_recordset()

    def test_warranty_coverage_defaults_per_product(self):
        product = self.env["product.template"].create({"name": "Boiler", "type": "consu"})
        self.assertTrue(product.aftersales_warranty_parts)
        self.assertTrue(product.aftersales_warranty_labour)
        self.assertFalse(product.aftersales_warranty_travel)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def _assert_refused(self, exception, **vals):
        count = self.env["aftersales.rate.card"].search_count([])
        with mute_logger("odoo.sql_db"), self.assertRaises(exception), self.env.cr.savepoint():
            self._create_card("Bad", **vals)
            self.env.flush_all()
        self.assertEqual(self.env["aftersales.rate.card"].search_count([]), count)

    def test_bad_rates(self):
        self._assert_refused(psycopg2.errors.CheckViolation, hourly_rate=-45.0)
        self._assert_refused(psycopg2.errors.CheckViolation, travel_km_price=-0.1)
        self._assert_refused(psycopg2.errors.CheckViolation, overtime_uplift=-10.0)
        self._assert_refused(psycopg2.errors.CheckViolation, holiday_uplift=-1.0)
        self._assert_refused(psycopg2.errors.CheckViolation, rounding_minutes=0)
        self._assert_refused(psycopg2.errors.UniqueViolation, is_company_default=True)
        self._assert_refused(ValidationError, callout_product_id=False)

    def test_zone_bad_input(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.card.travel_zone_ids = [Command.create({"name": "X", "max_km": 0.0, "price": 5})]
            self.env.flush_all()
        self.assertFalse(self.card.travel_zone_ids)

    def test_card_of_another_company(self):
        card_b = self._create_card("Company B", company_id=self.company_b.id)
        contract = self._create_contract()
        with self.assertRaises(UserError):
            contract.rate_card_id = card_b
        # the customer's card is per company: in company A, a card of B is refused
        with self.assertRaises(UserError):
            self.customer_other.aftersales_rate_card_id = card_b
        self.customer_other.with_company(self.company_b).aftersales_rate_card_id = card_b
        self.assertEqual(
            self.env["aftersales.rate.card"]._resolve(False, self.customer_other, self.company_b),
            card_b,
        )

    def test_coverage_out_of_range(self):
        for field, value in (("labour_coverage", -5.0), ("travel_coverage", 100.5)):
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.CheckViolation),
                self.env.cr.savepoint(),
            ):
                self._create_contract(lines=[self._covered_line(**{field: value})], activate=False)
                self.env.flush_all()

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    @users("as_technician")
    def test_technician_reads_only(self):
        card = self.card.with_user(self.env.user)
        self.assertEqual(card.hourly_rate, 45.0)
        with self.assertRaises(AccessError):
            card.hourly_rate = 50.0
        with self.assertRaises(AccessError):
            self.env["aftersales.rate.card"].create({"name": "Mine"})

    @users("as_manager")
    def test_manager_writes_with_form(self):
        with Form(self.env["aftersales.rate.card"]) as form:
            form.name = "Weekend"
            form.hourly_rate = 50.0
            form.labour_product_id = self.labour_product
            form.overtime_mode = "uplift"
            form.overtime_uplift = 25.0
        card = form.record
        self.assertEqual(card.company_id, self.company)
        self.assertEqual(card._labour_amount(1.0, "overtime"), (1.0, 62.5))

    @users("as_manager")
    def test_multi_company_rule(self):
        card_b = self._create_card("Company B", company_id=self.company_b.id)
        cards = self.env["aftersales.rate.card"].search([])
        self.assertNotIn(card_b, cards)
        self.assertIn(self.card, cards)
