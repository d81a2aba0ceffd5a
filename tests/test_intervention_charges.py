from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common.charges import AftersalesChargeCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-05 12:00")
class TestInterventionCharges(AftersalesChargeCase):
    """Finishing an intervention prices its worksheet: call-out, travel, travel time,
    labour per kind of hours, per diem and materials, each with its cost; each example is
    computed by hand below, to the cent."""

    def test_saturday_overtime(self):
        intervention = self._intervention(travel_km=42.0)
        # Saturday 30 May 2026 (Europe/Rome, CEST = UTC+2): travel 08:20-09:00, work
        # 09:00-11:10; the calendar is Monday to Friday, so every minute is overtime
        self._entry(
            intervention, datetime(2026, 5, 30, 6, 20), datetime(2026, 5, 30, 7, 0), "travel"
        )
        self._entry(intervention, datetime(2026, 5, 30, 7, 0), datetime(2026, 5, 30, 9, 10))
        self._finish(intervention)
        self.assertEqual(
            self._lines(intervention),
            {
                # call-out: 1 x 35.00; no cost of its own
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 42 km x 0.45 = 18.90; cost 42 km x 0.30 = 12.60
                ("travel", False, "customer"): (42.0, 0.45, 18.9, 0.0, 18.9, 12.6),
                # 40 min of overtime travel: above the 30-min minimum, rounded up to
                # 3 units of 15 min = 0.75 h at 30.00 x 1.30 = 39.00 -> 29.25;
                # cost 40/60 h x 30.00 = 20.00
                ("travel_time", "overtime", "customer"): (0.75, 39.0, 29.25, 0.0, 29.25, 20.0),
                # 130 min of overtime work: 9 units of 15 min = 2.25 h at
                # 48.00 x 1.30 = 62.40 -> 140.40; cost 130/60 h x 30.00 = 65.00
                ("labour", "overtime", "customer"): (2.25, 62.4, 140.4, 0.0, 140.4, 65.0),
            },
        )
        # 35.00 + 18.90 + 29.25 + 140.40 = 223.55, all the customer's (no coverage)
        self.assertEqual(intervention.charge_amount, 223.55)
        self.assertEqual(intervention.charge_customer_amount, 223.55)
        # time 20.00 + 65.00 = 85.00; travel 12.60; total 97.60
        self.assertEqual(
            (intervention.cost_time, intervention.cost_travel, intervention.cost_total),
            (85.0, 12.6, 97.6),
        )
        self.assertEqual(intervention.margin, -97.6)  # nothing invoiced yet

    def test_public_holiday_minimum_and_per_diem(self):
        intervention = self._intervention(per_diem_days=1.0)
        # Tuesday 2 June 2026, Festa della Repubblica: 10:00-11:50 CEST, 110 min
        self._entry(intervention, datetime(2026, 6, 2, 8, 0), datetime(2026, 6, 2, 9, 50))
        # Wednesday 3 June, 10:00-10:10 CEST: 10 normal minutes
        self._entry(intervention, datetime(2026, 6, 3, 8, 0), datetime(2026, 6, 3, 8, 10))
        self._finish(intervention)
        self.assertEqual(
            self._lines(intervention),
            {
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 110 min: 8 units of 15 min = 2 h at 48.00 x 1.50 = 72.00 -> 144.00;
                # cost 110/60 h x 30.00 = 55.00
                ("labour", "holiday", "customer"): (2.0, 72.0, 144.0, 0.0, 144.0, 55.0),
                # 10 min raised to the 30-min minimum: 0.5 h x 48.00 = 24.00;
                # cost 10/60 h x 30.00 = 5.00
                ("labour", "normal", "customer"): (0.5, 48.0, 24.0, 0.0, 24.0, 5.0),
                # the worksheet's per diem day: 1 x 45.00
                ("per_diem", False, "customer"): (1.0, 45.0, 45.0, 0.0, 45.0, 0.0),
            },
        )
        # 35.00 + 144.00 + 24.00 + 45.00 = 248.00; no km, no travel line
        self.assertEqual(intervention.charge_customer_amount, 248.0)
        self.assertEqual(intervention.cost_total, 60.0)

    def test_per_diem_from_hours_away(self):
        intervention = self._intervention()
        # Wednesday 3 June, 08:00-17:00 CEST: 8 h in the calendar, the 12-13 break overtime
        self._entry(intervention, datetime(2026, 6, 3, 6, 0), datetime(2026, 6, 3, 15, 0))
        self._finish(intervention)
        lines = self._lines(intervention)
        # 9 h away >= the card's 8 h: one per diem of 45.00
        self.assertEqual(lines["per_diem", False, "customer"], (1.0, 45.0, 45.0, 0.0, 45.0, 0.0))
        # 35.00 call-out + 8 h x 48.00 = 384.00 + 1 h x 62.40 + 45.00 = 526.40
        self.assertEqual(intervention.charge_customer_amount, 526.4)

    def test_subcontractor_and_flat_travel(self):
        service = self.env["product.product"].create(
            {"name": "Subcontracted service call", "type": "service", "purchase_ok": True}
        )
        self.company.aftersales_subcontract_product_id = service
        self.card.write({"travel_mode": "flat", "travel_flat_price": 25.0})
        self._create_contract(
            lines=[
                self._fee_line(),
                self._covered_line(lot=self.lot, labour_coverage=40.0, travel_coverage=0.0),
            ]
        )
        intervention = self._intervention(
            lot_id=self.lot.id,
            employee_ids=[],
            subcontractor_id=self.vendor.id,
            subcontract_amount=180.0,
            date_planned_end=datetime(2026, 6, 1, 10, 0),
            travel_km=12.0,
        )
        intervention.action_plan()
        self._finish(intervention)
        self.assertEqual(
            self._lines(intervention),
            {
                # the contract line covers the call-out fully (default 100%)
                ("callout", False, "contract"): (1.0, 35.0, 35.0, 35.0, 0.0, 0.0),
                # one flat trip at 25.00, travel not covered; cost 12 km x 0.30 = 3.60
                ("travel", False, "customer"): (1.0, 25.0, 25.0, 0.0, 25.0, 3.6),
                # the agreed 180.00 re-invoiced as bought, covered as labour (40%):
                # 72.00 by the contract, 108.00 by the customer; cost: the PO line, 180.00
                ("subcontract", False, "contract"): (1.0, 180.0, 180.0, 72.0, 108.0, 180.0),
            },
        )
        self.assertEqual(intervention.cost_subcontract, 180.0)
        # the order is cancelled: its line costs nothing any more
        intervention.purchase_order_ids.button_cancel()
        self.assertEqual(intervention.cost_subcontract, 0.0)

    def test_half_labour_contract_with_parts_covered(self):
        self._create_contract(
            lines=[
                self._fee_line(),
                self._covered_line(
                    lot=self.lot,
                    labour_coverage=50.0,
                    parts_coverage=100.0,
                    travel_coverage=0.0,
                    callout_coverage=0.0,
                ),
            ]
        )
        intervention = self._intervention(
            lot_id=self.lot.id, travel_km=10.0, material_move_ids=[self._used(self.gasket, 2.0)]
        )
        self.assertEqual(intervention.coverage_kind, "contract")
        # Wednesday 3 June, 09:00-10:30 CEST: 90 normal minutes
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 30))
        self._finish(intervention)
        self.assertEqual(
            self._lines(intervention),
            {
                # call-out and travel: 0% covered by the contract line
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 10 km x 0.45 = 4.50; cost 10 x 0.30 = 3.00
                ("travel", False, "customer"): (10.0, 0.45, 4.5, 0.0, 4.5, 3.0),
                # 1.5 h x 48.00 = 72.00, 50% covered: 36.00 + 36.00; cost 1.5 x 30 = 45.00
                ("labour", "normal", "contract"): (1.5, 48.0, 72.0, 36.0, 36.0, 45.0),
                # 2 gaskets at the list price 9.50 = 19.00, 100% covered; cost: the
                # delivery's valuation, 2 x 4.00 (average cost) = 8.00
                ("material", False, "contract"): (2.0, 9.5, 19.0, 19.0, 0.0, 8.0),
            },
        )
        # customer: 35.00 + 4.50 + 36.00 = 75.50; contract: 36.00 + 19.00 = 55.00
        self.assertEqual(intervention.charge_customer_amount, 75.5)
        self.assertEqual(intervention.charge_covered_amount, 55.0)
        # cost: 45.00 time + 3.00 travel + 8.00 materials = 56.00
        self.assertEqual(
            (intervention.cost_time, intervention.cost_materials, intervention.cost_total),
            (45.0, 8.0, 56.0),
        )

    def test_warranty_with_travel_billed(self):
        lot = self._create_lot(
            "AUR-W001",
            aftersales_customer_id=self.customer.id,
            aftersales_delivery_date=date(2026, 1, 15),
            aftersales_warranty_end=date(2027, 1, 15),
        )
        intervention = self._intervention(
            lot_id=lot.id, travel_km=30.0, material_move_ids=[self._used(self.gasket)]
        )
        self.assertEqual(intervention.coverage_kind, "warranty")
        # Wednesday 3 June, 09:00-10:00 CEST
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 0))
        self._finish(intervention)
        self.assertEqual(
            self._lines(intervention),
            {
                # the machine's warranty covers parts and labour, not travel and call-out
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 30 km x 0.45 = 13.50; cost 30 x 0.30 = 9.00
                ("travel", False, "customer"): (30.0, 0.45, 13.5, 0.0, 13.5, 9.0),
                ("labour", "normal", "warranty"): (1.0, 48.0, 48.0, 48.0, 0.0, 30.0),
                ("material", False, "warranty"): (1.0, 9.5, 9.5, 9.5, 0.0, 4.0),
            },
        )
        # customer: 35.00 + 13.50 = 48.50; warranty: 48.00 + 9.50 = 57.50
        self.assertEqual(intervention.charge_customer_amount, 48.5)
        self.assertEqual(intervention.charge_covered_amount, 57.5)
        # the product says its warranty covers travel too: recomputing bills none of it
        self.machine.aftersales_warranty_travel = True
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertEqual(intervention.charge_customer_amount, 0.0)
        self.assertEqual(intervention.charge_covered_amount, 106.0)

    def test_hour_bank_runs_out_mid_intervention(self):
        bank = self._bank(2.0, hour_bank_overage="bill", hour_bank_overtime_factor=2.0)
        intervention = self._intervention()
        self.assertEqual(intervention.coverage_kind, "hour_bank")
        # Wednesday 3 June: 09:00-10:30 CEST normal (1.5 h), 17:00-18:00 overtime (1 h)
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 30))
        self._entry(intervention, datetime(2026, 6, 3, 15, 0), datetime(2026, 6, 3, 16, 0))
        self._finish(intervention)
        # the bank pays normal hours first: 1.5 bank h, 0.5 left; an overtime hour is 2
        # bank hours, so 0.5 / 2 = 0.25 overtime h are covered and 0.75 are billed
        self.assertEqual(
            self._lines(intervention),
            {
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 1.5 h x 48.00 = 72.00 from the bank; cost 1.5 h x 30.00 = 45.00
                ("labour", "normal", "hour_bank"): (1.5, 48.0, 72.0, 72.0, 0.0, 45.0),
                # 0.25 h x 62.40 = 15.60 from the bank; cost 0.25 x 30.00 = 7.50
                ("labour", "overtime", "hour_bank"): (0.25, 62.4, 15.6, 15.6, 0.0, 7.5),
                # 0.75 h x 62.40 = 46.80 billed; cost 0.75 x 30.00 = 22.50
                ("labour", "overtime", "customer"): (0.75, 62.4, 46.8, 0.0, 46.8, 22.5),
            },
        )
        # customer: 35.00 + 46.80 = 81.80
        self.assertEqual(intervention.charge_customer_amount, 81.8)
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        moves = intervention.hour_move_ids
        self.assertEqual(
            sorted((m.labour_kind, m.hours, m.worked_hours) for m in moves),
            [("normal", -1.5, 1.5), ("overtime", -0.5, 0.25)],
        )
        self.assertEqual(
            intervention.charge_ids.filtered("hour_move_id").hour_move_id,
            intervention.hour_move_ids,
        )
        # recomputing: the same lines, the same moves, nothing drawn twice
        lines_before = intervention.charge_ids
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertEqual(intervention.charge_ids, lines_before)
        self.assertEqual(intervention.hour_move_ids, moves)
        self.assertEqual(bank.hour_bank_used, 2.0)
        # a manager adds half an hour to the worksheet: the moves are drawn again,
        # 2 normal hours now take the whole bank and the overtime hour is billed
        self._entry(intervention, datetime(2026, 6, 4, 7, 0), datetime(2026, 6, 4, 7, 30))
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertEqual(
            self._lines(intervention),
            {
                ("callout", False, "customer"): (1.0, 35.0, 35.0, 0.0, 35.0, 0.0),
                # 2 h x 48.00 = 96.00 from the bank; cost 2 h x 30.00 = 60.00
                ("labour", "normal", "hour_bank"): (2.0, 48.0, 96.0, 96.0, 0.0, 60.0),
                # 1 h x 62.40 billed; cost 30.00
                ("labour", "overtime", "customer"): (1.0, 62.4, 62.4, 0.0, 62.4, 30.0),
            },
        )
        # the ledger keeps the first draw, given back by reversals on its own date
        self.assertEqual(
            [(m.labour_kind, m.hours) for m in intervention._hour_bank_consumption()],
            [("normal", -2.0)],
        )
        reversals = intervention.hour_move_ids.filtered(lambda m: m.kind == "reversal")
        self.assertEqual(reversals.reversed_move_id, moves)
        self.assertEqual(
            sorted((m.labour_kind, m.hours, m.worked_hours, m.date) for m in reversals),
            sorted((m.labour_kind, -m.hours, -m.worked_hours, m.date) for m in moves),
        )
        self.assertEqual(len(bank.hour_move_ids.filtered(lambda m: m.kind != "purchase")), 5)
        self.assertEqual((bank.hour_bank_used, bank.hour_bank_remaining), (2.0, 0.0))
        # a manager decides the call is billable: the bank gets its hours back
        intervention.with_user(self.user_manager).coverage_override = "billable"
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertFalse(intervention._hour_bank_consumption())
        self.assertEqual(len(intervention.hour_move_ids), 6, "3 drawn, 3 given back")
        self.assertEqual(sum(intervention.hour_move_ids.mapped("hours")), 0.0)
        self.assertEqual((bank.hour_bank_used, bank.hour_bank_remaining), (0.0, 2.0))
        # the month's summary counts what was drawn net of what was given back
        [(consumed,)] = self.env["aftersales.hour.bank.month"]._read_group(
            [("contract_id", "=", bank.id)], [], ["consumed_hours:sum"]
        )
        self.assertEqual(consumed, 0.0)
        # a consumption is given back once
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            reversals[:1].copy()
            self.env.flush_all()
        # 35.00 + 2 h x 48.00 + 1 h x 62.40 = 193.40, all the customer's
        self.assertEqual(intervention.charge_customer_amount, 193.4)

    def test_hour_bank_given_back_arms_the_alert_again(self):
        bank = self._bank(2.0, hour_bank_overage="bill", hour_bank_threshold=1.0)
        intervention = self._intervention()
        # 1.5 normal hours: 0.5 h left, below the threshold: the customer is alerted
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 30))
        self._finish(intervention)
        self.assertEqual(bank.hour_bank_remaining, 0.5)
        self.assertTrue(bank.hour_bank_low_notified)
        # a manager decides the call is billable: the hours are only given back, 2 h
        # left, above the threshold: the alert is armed again for the next crossing
        intervention.with_user(self.user_manager).coverage_override = "billable"
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertEqual(bank.hour_bank_remaining, 2.0)
        self.assertFalse(bank.hour_bank_low_notified)

    def test_hour_bank_blocked_refuses_finishing(self):
        bank = self._bank(1.0, hour_bank_overage="block")
        intervention = self._intervention()
        # 1.5 normal hours against 1 bank hour
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 30))
        intervention.action_start()
        # assertRaises rolls back what the failing call wrote, as the RPC's transaction
        with self.assertRaises(UserError) as caught:
            intervention.action_done()
        self.assertIn("1 h left, this work needs 1.5 h", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(intervention.state, "in_progress")
        self.assertFalse(intervention.charge_ids)
        self.assertFalse(intervention.hour_move_ids)
        self.assertEqual(bank.hour_bank_remaining, 1.0)

    def test_recompute_is_idempotent_and_keeps_adjusted_lines(self):
        intervention = self._intervention(travel_km=42.0)
        self._entry(intervention, datetime(2026, 5, 30, 7, 0), datetime(2026, 5, 30, 9, 10))
        self._finish(intervention)
        before = self._lines(intervention)
        lines = intervention.charge_ids
        manager_view = intervention.with_user(self.user_manager)
        manager_view.action_compute_charges()
        manager_view.action_compute_charges()
        self.assertEqual(intervention.charge_ids, lines)
        self.assertEqual(self._lines(intervention), before)
        # a manager bills 2 overtime hours instead of 2.25: 2 x 62.40 = 124.80
        labour = lines.filtered(lambda c: c.kind == "labour")
        labour.with_user(self.user_manager).quantity = 2.0
        self.assertTrue(labour.is_adjusted)
        self.assertEqual(labour.amount, 124.8)
        note = intervention.message_ids.filtered(lambda m: "adjusted" in (m.body or ""))[:1]
        self.assertIn("2.25 → 2", note.body)
        # the kilometres change: the travel line follows, the adjusted line stays
        intervention.travel_km = 50.0
        manager_view.action_compute_charges()
        self.assertEqual(intervention.charge_ids, lines)
        self.assertEqual((labour.quantity, labour.amount), (2.0, 124.8))
        travel = lines.filtered(lambda c: c.kind == "travel")
        # 50 km x 0.45 = 22.50; cost 50 x 0.30 = 15.00
        self.assertEqual((travel.amount, travel.cost), (22.5, 15.0))

    def test_line_added_by_hand_is_a_new_line(self):
        """A manager adds half an hour of normal labour, the same kind, hours and
        product as the computed labour line: a line of its own, next to it."""
        intervention = self._intervention()
        # Wednesday 3 June 2026, 09:00-10:00 CEST: 1 normal hour
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 0))
        self._finish(intervention)
        computed = intervention.charge_ids.filtered(lambda c: c.kind == "labour")
        self.assertEqual((computed.labour_kind, computed.quantity), ("normal", 1.0))
        added = (
            self.env["aftersales.intervention.charge"]
            .with_user(self.user_manager)
            .create(
                {
                    "intervention_id": intervention.id,
                    "kind": "labour",
                    "labour_kind": "normal",
                    "name": "Descaling, extra half hour",
                    "product_id": self.p_labour.id,
                    "quantity": 0.5,
                    "price_unit": 48.0,
                }
            )
        )
        self.assertTrue(added.is_manual)
        self.assertFalse(computed.is_manual)
        manager_view = intervention.with_user(self.user_manager)
        for _run in range(2):
            manager_view.action_compute_charges()
            labour = intervention.charge_ids.filtered(lambda c: c.kind == "labour")
            self.assertEqual(labour, computed | added)
            # 1 h x 48.00 = 48.00 computed + 0.5 h x 48.00 = 24.00 added = 72.00
            self.assertEqual(sorted(labour.mapped("amount")), [24.0, 48.0])
        # call-out 35.00 + 72.00 = 107.00, and so is the bill
        self.assertEqual(intervention.charge_customer_amount, 107.0)
        intervention.with_user(self.user_manager).action_create_sale_order()
        order = intervention.sudo().sale_order_ids
        self.assertEqual(order.amount_untaxed, 107.0)
        self.assertEqual(sorted(order.order_line.mapped("price_subtotal")), [24.0, 35.0, 48.0])

    def test_cost_follows_the_standard_records(self):
        intervention = self._intervention(travel_km=10.0)
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 0))
        self._finish(intervention)
        labour = intervention.charge_ids.filtered(lambda c: c.kind == "labour")
        self.assertEqual(labour.cost, 30.0)
        # the technician's timesheet cost is revalued at 36.00 an hour: no copy to update
        self.env["account.analytic.line"].search(
            [("aftersales_intervention_id", "=", intervention.id)]
        ).amount = -36.0
        self.assertEqual(labour.cost, 36.0)
        self.assertEqual(intervention.cost_time, 36.0)
        # a vehicle costing 0.50 a km: 10 x 0.50 = 5.00
        vehicle = self.env["fleet.vehicle"].create(
            {
                "model_id": self.env["fleet.vehicle.model"]
                .create(
                    {
                        "name": "Doblò",
                        "brand_id": self.env["fleet.vehicle.model.brand"]
                        .create({"name": "Fiat"})
                        .id,
                    }
                )
                .id,
                "aftersales_cost_per_km": 0.5,
            }
        )
        intervention.vehicle_id = vehicle
        self.assertEqual(intervention.cost_travel, 5.0)

    def test_rights(self):
        intervention = self._intervention()
        self._entry(intervention, datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 8, 0))
        self._finish(intervention)
        charge = intervention.charge_ids.filtered(lambda c: c.kind == "labour")
        # technicians read the lines, never write them nor compute them
        self.assertEqual(charge.with_user(self.user_technician).amount, 48.0)
        with self.assertRaises(AccessError):
            charge.with_user(self.user_technician).quantity = 0.5
        with self.assertRaises(AccessError):
            intervention.with_user(self.user_technician).action_compute_charges()
        for vals in ({"cost_total": 0.0}, {"hour_bank_request": {}}, {"charge_amount": 0.0}):
            with self.assertRaises(AccessError):
                intervention.with_user(self.user_manager).write(vals)
        # system fields refused to anyone over RPC, managers included
        for vals in ({"cost": 0.0}, {"amount": 1.0}, {"is_adjusted": False}, {"sale_line_id": 1}):
            with self.assertRaises(AccessError):
                charge.with_user(self.user_manager).write(vals)
        with self.assertRaises(AccessError):
            self.env["aftersales.intervention.charge"].with_user(self.user_manager).create(
                {
                    "intervention_id": intervention.id,
                    "kind": "labour",
                    "name": "Free hour",
                    "customer_amount": 0.0,
                }
            )
        # a line added by hand is the manager's: kept by recomputations, told in the chatter
        extra = (
            self.env["aftersales.intervention.charge"]
            .with_user(self.user_manager)
            .create(
                {
                    "intervention_id": intervention.id,
                    "kind": "material",
                    "name": "Descaler",
                    "quantity": 2.0,
                    "price_unit": 7.5,
                }
            )
        )
        self.assertTrue(extra.is_adjusted)
        intervention.with_user(self.user_manager).action_compute_charges()
        self.assertIn(extra, intervention.charge_ids)
        self.assertEqual(intervention.charge_customer_amount, 35.0 + 48.0 + 15.0)

    def test_coverage_split_is_the_tickets(self):
        """A ticket and its intervention split charges with the same code."""
        self._create_contract(
            lines=[self._fee_line(), self._covered_line(lot=self.lot, labour_coverage=50.0)]
        )
        ticket = self._create_ticket(lot_id=self.lot.id)
        intervention = self._intervention(ticket_id=ticket.id, lot_id=self.lot.id)
        for kind in ("labour", "material", "travel", "callout", "subcontract"):
            self.assertEqual(
                ticket._charge_coverage(kind), intervention._charge_coverage(kind), kind
            )
        self.assertEqual(intervention._charge_coverage("labour"), ("contract", 50.0))
        self.assertEqual(intervention._charge_coverage("material"), ("contract", 100.0))


@tagged("post_install", "-at_install")
@freeze_time("2026-06-05 12:00")
class TestInterventionChargeQueries(AftersalesChargeCase):
    """Computing the charges of a batch costs the same number of queries whatever its
    size: call-out, travel, labour and a material line for each intervention."""

    def _done_batch(self, count, day):
        interventions = self.env["aftersales.intervention"]
        for n in range(count):
            intervention = self._intervention(
                travel_km=10.0 + n, material_move_ids=[self._used(self.gasket)]
            )
            start = datetime(2026, 6, day, 6, 0) + timedelta(hours=n)
            self._entry(intervention, start, start + timedelta(minutes=45))
            interventions |= intervention
        interventions.action_start()
        interventions.action_done()
        self.assertEqual(len(interventions.charge_ids), 4 * count)
        # start again from no lines, as the first computation at finishing does
        interventions.charge_ids.sudo().with_context(aftersales_charge_compute=True).unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        return interventions.ids

    def _compute(self, ids, expected):
        interventions = self.env["aftersales.intervention"].with_user(self.user_manager).browse(ids)
        with self.assertQueryCount(expected):
            interventions.action_compute_charges()
            self.env.flush_all()
        self.assertEqual(len(interventions.charge_ids), 4 * len(ids))

    def test_query_count_flat(self):
        warm, small, large = (
            self._done_batch(1, day=2),
            self._done_batch(2, day=3),
            self._done_batch(6, day=4),
        )
        # the first computation fills the registry's caches (rights, the rate card)
        self.env["aftersales.intervention"].with_user(self.user_manager).browse(
            warm
        ).action_compute_charges()
        # 14 queries for 2 interventions as for 6: their lines, timesheets, moves, prices,
        # purchase lines, expenses and hour moves each read at once, the lines created in
        # one INSERT
        self._compute(small, 14)
        self._compute(large, 14)
