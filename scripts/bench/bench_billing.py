"""make bench: billing and invoicing done interventions.

N done interventions with 5 charge lines each (call-out, travel, normal and overtime
labour, per diem; labour half covered by a contract, as a discount) become N confirmed
sale orders and then one invoice per customer and month, in batches of 200, through
``_invoice_due``. Printed next to a baseline that makes the same orders and invoices
directly as sale does (``sale.order.create``, ``action_confirm``, ``_create_invoices``,
the same batches), on a second set of interventions in the same run. Goal: at most 1.2×
the baseline's time and its queries + 5 per intervention.
"""

import contextlib
import cProfile
import os
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, parse_args

CUSTOMERS = 50
BATCH = 200
WARMUP = 20
# Invoices posted before the run, then analysed: a database in use has history and
# planner statistics. On a fresh database whose account tables are known to be empty,
# Odoo's reconciled-payments query degenerates (over ten minutes) once thousands of
# invoice lines sit in one transaction, for the baseline as for the run.
HISTORY = int(os.environ.get("BENCH_HISTORY") or 200)
# BENCH_PROFILE=/tmp/billing writes a cProfile of each measured step (.run.prof and
# .baseline.prof) for `python3 -m pstats`.
PROFILE = os.environ.get("BENCH_PROFILE")


@contextlib.contextmanager
def profiled(suffix):
    if not PROFILE:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(f"{PROFILE}.{suffix}.prof")


def setup(env):
    customers = env["res.partner"].create(
        [{"name": f"Bench customer {n:03d}", "is_company": True} for n in range(CUSTOMERS)]
    )
    products = env["product.product"].create(
        [
            {
                "name": name,
                "type": "service",
                "list_price": price,
                "invoice_policy": "order",
                "taxes_id": [(5, 0, 0)],
            }
            for name, price in (
                ("Bench call-out", 50.0),
                ("Bench travel", 25.0),
                ("Bench labour", 40.0),
                ("Bench overtime", 60.0),
                ("Bench per diem", 45.0),
            )
        ]
    )
    env.flush_all()
    return customers, products


def interventions(env, customers, products, n, label):
    """``n`` done interventions of last month with their 5 charges (made as the costing
    would, unmeasured)."""
    records = env["aftersales.intervention"].create(
        [
            {"summary": f"{label} {i}", "partner_id": customers[i % len(customers)].id}
            for i in range(n)
        ]
    )
    last_month = datetime.now().replace(day=1, hour=10, microsecond=0) - timedelta(days=3)
    records.write({"state": "done", "date_start": last_month, "date_end": last_month})
    kinds = ("callout", "travel", "labour", "labour", "per_diem")
    env["aftersales.intervention.charge"].create(
        [
            {
                "intervention_id": record.id,
                "kind": kind,
                "name": product.name,
                "product_id": product.id,
                "quantity": 2.0 if kind == "labour" else 1.0,
                "price_unit": product.list_price,
                "coverage_kind": "contract" if kind == "labour" else "customer",
                "coverage_percent": 50.0 if kind == "labour" else 0.0,
                "sequence": seq,
            }
            for record in records
            for seq, (kind, product) in enumerate(zip(kinds, products, strict=True))
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return records


def baseline(env, records):
    """The same orders and invoices made directly, in the same batches."""
    SaleOrder = env["sale.order"].with_context(tracking_disable=True)
    orders = SaleOrder
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        vals_list = []
        for record in batch:
            vals = record._prepare_sale_order_vals()
            vals.pop("aftersales_intervention_id")
            vals["order_line"] = [
                (0, 0, record._prepare_sale_line_vals(charge)) for charge in record.charge_ids
            ]
            vals_list.append(vals)
        batch_orders = SaleOrder.create(vals_list)
        batch_orders.action_confirm()
        orders |= batch_orders
    by_partner = defaultdict(lambda: SaleOrder)
    for order in orders:
        by_partner[order.partner_id] |= order
    chunk = SaleOrder
    moves = env["account.move"]
    for group in by_partner.values():
        chunk |= group
        if len(chunk) >= BATCH:
            moves |= chunk._create_invoices(grouped=False)
            chunk = SaleOrder
    if chunk:
        moves |= chunk._create_invoices(grouped=False)
    return orders, moves


def main():
    args = parse_args(__doc__)
    n = args.n
    with odoo_env(args) as env:
        customers, products = setup(env)
        # warm-up: first loads of metadata, both ways
        baseline(env, interventions(env, customers, products, WARMUP, "warm-up baseline"))
        interventions(env, customers, products, WARMUP, "warm-up")._invoice_due()
        __, history = baseline(env, interventions(env, customers, products, HISTORY, "history"))
        history._post()
        # ANALYZE counts the rows this transaction inserted
        env.cr.execute("ANALYZE")
        base_records = interventions(env, customers, products, n, "baseline")
        ours_records = interventions(env, customers, products, n, "billed")
        # each step starts from an empty cache; the run goes first, the baseline second
        env.invalidate_all()
        with profiled("run"), Measure(env, f"_invoice_due: {n} interventions") as m:
            moves = ours_records._invoice_due(by_month=True, batch_size=BATCH)
        env.invalidate_all()
        with profiled("baseline"), Measure(env, f"baseline: {n} orders + invoices") as b:
            __, base_moves = baseline(env, base_records)
        assert len(moves) == len(base_moves) == CUSTOMERS, (len(moves), len(base_moves))
        assert set(ours_records.mapped("billing_status")) == {"billed"}
        amounts = (sum(moves.mapped("amount_untaxed")), sum(base_moves.mapped("amount_untaxed")))
        assert abs(amounts[0] - amounts[1]) < 0.01, amounts
        print()
        print(f"Billing benchmark: {n} done interventions x 5 charge lines, {CUSTOMERS} customers")
        print(f"{'step':<34} {'time':>10}  {'peak memory':>13}  {'queries':>8}  {'per item':>13}")
        print(b.line(n))
        print(m.line(n))
        print(
            f"ratio: {m.seconds / b.seconds:.2f}x the time, "
            f"{(m.queries - b.queries) / n:+.2f} queries per intervention "
            "(goal: <= 1.2x, <= +5)"
        )
        env.cr.rollback()


if __name__ == "__main__":
    main()
