from datetime import date

from odoo.tests import freeze_time, tagged

from .common.intervention import AftersalesInterventionCase
from .test_ddt import DdtCase


def _twin_sequences(env, **vals):
    """Two sequences alike: one drawn in a batch, the other one number at a time."""
    return env["ir.sequence"].create(
        [{"name": f"Twin {twin}", "padding": 5, **vals} for twin in ("batch", "one by one")]
    )


@tagged("post_install", "-at_install")
class TestSequenceBatch(AftersalesInterventionCase):
    """A batch's numbers are those that drawing them one at a time would give, for every
    kind of sequence, with one query per date range whatever the batch's size."""

    DAYS = [date(2026, 3, 1), date(2027, 1, 5), False, date(2026, 12, 31), date(2027, 2, 1)]

    @freeze_time("2026-06-01 10:00:00")
    def test_batch_draws_what_one_by_one_draws(self):
        for vals in (
            {"implementation": "standard", "prefix": "S/%(year)s/"},
            {"implementation": "no_gap", "prefix": "G/", "number_increment": 2},
            {"implementation": "standard", "use_date_range": True, "prefix": "R/%(range_year)s/"},
            {"implementation": "no_gap", "use_date_range": True, "prefix": "N/%(range_y)s/"},
        ):
            with self.subTest(**vals):
                batch, one_by_one = _twin_sequences(self.env, **vals)
                expected = [one_by_one._next(sequence_date=day) for day in self.DAYS]
                self.assertEqual(batch._aftersales_next_numbers(self.DAYS), expected)
                # and the sequence goes on from there
                self.assertEqual(
                    batch._next(sequence_date=self.DAYS[0]),
                    one_by_one._next(sequence_date=self.DAYS[0]),
                )
        self.assertEqual(expected[:3], ["N/26/00001", "N/27/00001", "N/26/00002"])

    def test_one_query_per_date_range(self):
        for implementation in ("standard", "no_gap"):
            sequence = _twin_sequences(
                self.env, implementation=implementation, use_date_range=True, prefix="%(range_y)s/"
            )[0]
            sequence._aftersales_next_numbers([date(2026, 1, 1), date(2027, 1, 1)])
            for size in (2, 9):
                days = [date(2026, 5, 1)] * size + [date(2027, 5, 1)] * size
                with self.subTest(implementation=implementation, size=size):
                    sequence.invalidate_model()
                    self.env["ir.sequence.date_range"].invalidate_model()
                    # the sequence, its date ranges, one draw per range
                    with self.assertQueryCount(4):
                        numbers = sequence._aftersales_next_numbers(days)
                    self.assertEqual(len(set(numbers)), 2 * size)

    def test_one_day_found_and_drawn_in_one_query(self):
        """A batch of one day (a validation's delivery notes, a call's intervention)
        finds its date range and draws its numbers in one query, as one by one would."""
        for implementation in ("standard", "no_gap"):
            batch, one_by_one = _twin_sequences(
                self.env, implementation=implementation, use_date_range=True, prefix="%(range_y)s/"
            )
            day = date(2026, 5, 1)
            batch._aftersales_next_numbers([day])  # the range exists from now on
            one_by_one._next(sequence_date=day)
            for size in (1, 5):
                with self.subTest(implementation=implementation, size=size):
                    batch.invalidate_model()
                    with self.assertQueryCount(2):  # the sequence, then find and draw
                        numbers = batch._aftersales_next_numbers([day] * size)
                    expected = [one_by_one._next(sequence_date=day) for _i in range(size)]
                    self.assertEqual(numbers, expected)

    @freeze_time("2026-06-01 10:00:00")
    def test_interventions_numbered_in_one_batch(self):
        Intervention = self.env["aftersales.intervention"]
        for size in (3, 9):
            interventions = Intervention.create(
                [{"summary": f"Visit {i}", "partner_id": self.customer.id} for i in range(size)]
            )
            first = int(interventions[0].name.rsplit("/", 1)[1])
            self.assertEqual(
                interventions.mapped("name"),
                [f"INT/2026/{number:05d}" for number in range(first, first + size)],
            )
            interventions.sudo().name = "/"
            self.env.flush_all()
            self.env.invalidate_all()
            # their companies, the sequence, its date range, the draw, the numbers written
            with self.subTest(size=size), self.assertQueryCount(5):
                interventions._assign_numbers()
                self.env.flush_all()
            self.assertEqual(
                self.env["ir.sequence"].next_by_code("aftersales.intervention"),
                f"INT/2026/{first + 2 * size:05d}",
            )

    @freeze_time("2026-01-01 06:00:00")
    def test_manager_activates_a_contract_with_preventive_visits(self):
        """The visits are numbered like any intervention, by the system, once created:
        a manager activating the contract numbers them without writing the number."""
        lot = self._create_lot("NUM-0001", aftersales_customer_id=self.customer.id)
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(lot, preventive_visits=2)],
            activate=False,
        )
        contract.with_user(self.user_manager).action_activate()
        visits = contract.preventive_intervention_ids.sorted("preventive_index")
        first = int(visits[0].name.rsplit("/", 1)[1])
        self.assertEqual(
            visits.mapped("name"), [f"INT/2026/{first:05d}", f"INT/2026/{first + 1:05d}"]
        )


@tagged("post_install", "-at_install")
class TestDdtBatch(DdtCase):
    @freeze_time("2026-11-30 10:00:00")
    def test_delivery_notes_numbered_in_one_batch(self):
        for size, prefix in ((2, "AUR-Q"), (5, "AUR-R")):
            pickings = self.env["stock.picking"].union(
                *(self._deliver([f"{prefix}{i}"]) for i in range(size))
            )
            numbers = pickings.mapped("aftersales_ddt_number")
            # the last done first: numbered in the order they were done
            pickings[0].date_done = pickings[-1].date_done.replace(second=59)
            pickings.aftersales_ddt_number = False
            self.env.flush_all()
            self.env.invalidate_all()
            # the user's time zone (2), the sequence, its date range, the draw, the
            # numbers written
            with self.subTest(size=size), self.assertQueryCount(6):
                pickings._aftersales_assign_ddt_number()
                self.env.flush_all()
            last = int(numbers[-1].rsplit("/", 1)[1])
            self.assertEqual(
                pickings.mapped("aftersales_ddt_number"),
                [
                    f"DDT/2026/{number:05d}"
                    for number in (last + size, *range(last + 1, last + size))
                ],
            )
