import calendar
import itertools
from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from ..models.aftersales_contract import PERIOD_MONTHS, current_period, due_date
from .common.base import AftersalesCase

DAY = timedelta(days=1)
ALIGNMENTS = ("calendar", "start")
MODES = ("advance", "arrears")


def _months(day):
    return day.year * 12 + day.month - 1


def _month_day(month_index, day):
    """``day`` of the month ``month_index``, clipped to the month's last day."""
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def expected_period_start(k, start, months, alignment):
    """First day of period k of a contract from ``start``, computed from month numbers
    (not from the module's date arithmetic)."""
    if k == 0:
        return start
    if alignment == "calendar":
        return _month_day((_months(start) // months + k) * months, 1)
    return _month_day(_months(start) + k * months, start.day)


def expected_count(start, months, alignment, mode, today):
    """How many periods are due on ``today``: those that began (in advance) or ended (in
    arrears) by then."""
    day = today if mode == "advance" else today + DAY
    if alignment == "calendar":
        count = _months(day) // months - _months(start) // months
    else:
        elapsed = _months(day) - _months(start)
        if day.day < min(start.day, calendar.monthrange(day.year, day.month)[1]):
            elapsed -= 1
        count = elapsed // months
    return count + 1 if mode == "advance" else count


def expected_periods(start, months, alignment, mode, today):
    count = expected_count(start, months, alignment, mode, today)
    bounds = [expected_period_start(k, start, months, alignment) for k in range(count + 1)]
    return [(bounds[k], bounds[k + 1] - DAY) for k in range(count)]


def invoice_backlog(start, months, alignment, mode, today, max_steps=200):
    """The periods the invoicing loop bills from ``start`` up to ``today``, computed with the
    module's period functions; None if the loop does not end."""
    periods = []
    first_open = start
    for _step in range(max_steps):
        period = current_period(first_open, start, months, alignment)
        if due_date(*period, mode) > today:
            return periods
        periods.append(period)
        first_open = period[1] + DAY
    return None


def check_periods(periods, start, today, mode):
    """The problems of a run's ``periods``: gaps, overlaps, days billed twice or never."""
    problems = []
    if not periods:
        return ["nothing billed"]
    if periods[0][0] != start:
        problems.append(f"first period starts on {periods[0][0]}")
    for (_s1, e1), (s2, e2) in itertools.pairwise(periods):
        if s2 != e1 + DAY:
            problems.append(f"{s2} does not follow {e1}")
        if e2 < s2:
            problems.append(f"empty period {s2}..{e2}")
    days = sum((end - begin).days + 1 for begin, end in periods)
    if days != (periods[-1][1] - start).days + 1:
        problems.append("some day is billed twice or never")
    last_start, last_end = periods[-1]
    if mode == "advance" and not last_start <= today <= last_end:
        problems.append(f"today {today} is not in the last period billed in advance")
    if mode == "arrears" and not last_end <= today:
        problems.append(f"the last period billed in arrears ends after {today}")
    return problems


@tagged("post_install", "-at_install")
class TestContractPeriods(AftersalesCase):
    def test_every_start_day_period_alignment_and_mode(self):
        """Every start day of 2024 (leap) and 2025 x every billing period x both alignments
        x advance and arrears: three years of backlog, billed once, day by day."""
        failures = []
        start = date(2024, 1, 1)
        cases = 0
        while start.year < 2026:
            today = start + timedelta(days=3 * 365 + 1)
            for period, months in PERIOD_MONTHS.items():
                for alignment in ALIGNMENTS:
                    for mode in MODES:
                        cases += 1
                        case = f"{start} {period} {alignment} {mode}"
                        periods = invoice_backlog(start, months, alignment, mode, today)
                        if periods is None:
                            failures.append(f"{case}: the loop does not end")
                            continue
                        problems = check_periods(periods, start, today, mode)
                        expected = expected_periods(start, months, alignment, mode, today)
                        if len(periods) != len(expected):
                            problems.append(f"{len(periods)} periods, {len(expected)} expected")
                        elif periods != expected:
                            problems.append(f"periods {periods} instead of {expected}")
                        failures += [f"{case}: {problem}" for problem in problems]
            start += DAY
        self.assertEqual(cases, (366 + 365) * 5 * 2 * 2)
        self.assertFalse(failures, "\n".join(failures[:20]))

    def test_month_end_backlog_invoiced_once(self):
        """Month-end start days through the real invoicing, the button in advance and the
        cron in arrears, over 13 months of backlog: every short month and a year end (the
        table above covers three years with the same period functions)."""
        starts = [date(2025, 1, day) for day in (28, 29, 30, 31)]
        starts += [date(2024, 1, 31), date(2024, 2, 29)]
        for start in starts:
            today = start + timedelta(days=400)
            alignments = ALIGNMENTS if start == date(2025, 1, 31) else ("start",)
            with freeze_time(today):
                contracts = {
                    (period, alignment, mode): self._create_contract(
                        date_start=start,
                        date_end=False,
                        billing_period=period,
                        period_alignment=alignment,
                        billing_mode=mode,
                        lines=[self._fee_line(price=100.0, tax_ids=[])],
                    )
                    for period in PERIOD_MONTHS
                    for alignment in alignments
                    for mode in MODES
                }
                advance = self.env["aftersales.contract"].union(
                    *(c for key, c in contracts.items() if key[2] == "advance")
                )
                advance.action_create_invoices()
                self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
            for (period, alignment, mode), contract in contracts.items():
                invoices = contract.invoice_ids.sorted("aftersales_period_start")
                billed = list(
                    zip(
                        invoices.mapped("aftersales_period_start"),
                        invoices.mapped("aftersales_period_end"),
                        strict=True,
                    )
                )
                expected = expected_periods(start, PERIOD_MONTHS[period], alignment, mode, today)
                case = f"{start} {period} {alignment} {mode}"
                self.assertEqual(billed, expected, case)
                self.assertFalse(check_periods(billed, start, today, mode), case)
                self.assertEqual(contract.next_period_start, expected[-1][1] + DAY, case)
                self.assertFalse(contract.invoicing_error, case)

    def _stuck_after_first_period(self, counter):
        """Make every period after the first one of a contract from the 31st end before it
        starts (28/02 - 27/02, as the month-end bug did), and stop a loop that spins
        instead of giving up."""
        Contract = self.registry["aftersales.contract"]
        original = Contract._current_period

        class Spinning(BaseException):
            pass

        def stuck(contract, start):
            counter.append(start)
            if len(counter) > 100:
                raise Spinning(f"still invoicing from {start}")
            if contract.date_start.day == 31 and start > contract.date_start:
                return start, start - DAY
            return original(contract, start)

        return patch.object(Contract, "_current_period", stuck)

    @freeze_time("2026-03-10")
    def test_button_stops_on_a_contract_that_does_not_advance(self):
        calls = []
        with self._stuck_after_first_period(calls):
            contract = self._create_contract(
                date_start=date(2026, 1, 31), billing_period="monthly", period_alignment="start"
            )
            other = self._create_contract(billing_period="monthly")
            action = (contract | other).action_create_invoices()
        self.assertLess(len(calls), 100)
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(contract.name, action["params"]["message"])
        self.assertEqual(action["params"]["next"]["res_model"], "account.move")
        self.assertIn("made no progress", contract.invoicing_error)
        self.assertTrue(contract.invoicing_error_date)
        self.assertEqual(contract.next_period_start, date(2026, 2, 28))
        self.assertEqual(len(contract.invoice_ids), 1)
        self.assertEqual(len(other.invoice_ids), 3, "the other contract is invoiced")
        self.assertFalse(other.invoicing_error)

    @freeze_time("2026-03-10")
    def test_cron_stops_on_a_contract_that_does_not_advance(self):
        calls = []
        with self._stuck_after_first_period(calls):
            contract = self._create_contract(
                date_start=date(2026, 1, 31), billing_period="monthly", period_alignment="start"
            )
            other = self._create_contract(billing_period="monthly")
            self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertLess(len(calls), 100)
        self.assertIn("made no progress", contract.invoicing_error)
        self.assertEqual(len(contract.invoice_ids), 1)
        self.assertEqual(len(other.invoice_ids), 3)
        failures = self.env["aftersales.contract"].search([("invoicing_error", "!=", False)])
        self.assertEqual(failures, contract)
