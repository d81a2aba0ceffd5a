"""make bench: activating N service contracts in one call (a renewal run, an import).

Each contract covers one serial (plus a fee line) and each serial already has last
year's active contract, ended the day before: the serial overlap check has a real
candidate for every line. The contracts are activated with ``action_activate`` at two
sizes (N/10 and N contracts): time and queries should grow linearly. Each size is run
BENCH_REPEAT times (3 by default) on new contracts, the sizes taking turns, and the
fastest run of each size is kept: on a shared machine, a single run's time is mostly the
others' load.
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, parse_args

CUSTOMERS = 200
REPEAT = int(os.environ.get("BENCH_REPEAT") or 3)


def setup(env, n, prefix):
    """N serials, each with last year's active contract, and this year's proposals."""
    from odoo.fields import Command

    customers = env["res.partner"].create(
        [{"name": f"Bench {prefix} customer {i}", "is_company": True} for i in range(CUSTOMERS)]
    )
    machine, fee = env["product.product"].create(
        [
            {
                "name": f"Bench {prefix} machine",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
            },
            {"name": f"Bench {prefix} service fee", "type": "service", "list_price": 40.0},
        ]
    )
    lots = env["stock.lot"].create(
        [
            {
                "name": f"ACT-{prefix}-{i:06d}",
                "product_id": machine.id,
                "aftersales_customer_id": customers[i % CUSTOMERS].id,
            }
            for i in range(n)
        ]
    )

    def contracts(start, end):
        return env["aftersales.contract"].create(
            [
                {
                    "partner_id": lot.aftersales_customer_id.id,
                    "date_start": start,
                    "date_end": end,
                    "line_ids": [
                        Command.create({"product_id": fee.id}),
                        Command.create({"equipment_product_id": machine.id, "lot_id": lot.id}),
                    ],
                }
                for lot in lots
            ]
        )

    # last year's, active without the activation (and its hooks)
    contracts(date(2025, 1, 1), date(2025, 12, 31)).write({"state": "active"})
    proposals = contracts(date(2026, 1, 1), date(2026, 12, 31))
    env.flush_all()
    # a database in use has planner statistics (ANALYZE counts this transaction's rows)
    env.cr.execute("ANALYZE aftersales_contract, aftersales_contract_line, stock_lot")
    env.invalidate_all()
    return proposals


def activate(env, contracts, label):
    with Measure(env, label) as m:
        cpu = time.process_time()
        contracts.action_activate()
        env.flush_all()
        m.cpu = time.process_time() - cpu
    if set(contracts.mapped("state")) != {"active"}:
        print(f"ERROR: {label}: not all active", file=sys.stderr)
        sys.exit(1)
    return m


def fastest(env, sizes):
    """{size: the fastest of REPEAT activations of that many new proposals}. The sizes
    take turns, so that each runs on tables of about the same size."""
    runs = {n: [] for n in sizes}
    for k in range(REPEAT):
        for n in sizes:
            runs[n].append(activate(env, setup(env, n, f"{n}-{k}"), f"activate {n} contracts"))
    return {n: min(measures, key=lambda m: m.seconds) for n, measures in runs.items()}


def main():
    args = parse_args(__doc__)
    n = args.n
    with odoo_env(args) as env:
        small_n = max(n // 10, 1)
        print(f"Setting up {small_n} and {n} proposals over covered serials...", flush=True)
        activate(env, setup(env, 5, "warm"), "warm-up")
        best = fastest(env, (small_n, n))
        rows = [(best[small_n], small_n), (best[n], n)]
        print()
        print(f"Contract activation benchmark (fastest of {REPEAT} runs)")
        print(f"{'step':<34} {'time':>10}  {'peak memory':>13}  {'queries':>8}  {'per item':>13}")
        for measure, items in rows:
            print(measure.line(items))
        (s, _), (big, _) = rows
        print(
            f"Odoo's own CPU time: {s.cpu:.2f} s and {big.cpu:.2f} s "
            "(the rest: PostgreSQL and the wait for a core)"
        )
        print(
            f"{n} vs {small_n} contracts: time {big.seconds / s.seconds:.1f}x, "
            f"CPU {big.cpu / s.cpu:.1f}x, queries {big.queries / s.queries:.1f}x "
            f"(linear: {n / small_n:.0f}x)"
        )
        env.cr.rollback()


if __name__ == "__main__":
    main()
