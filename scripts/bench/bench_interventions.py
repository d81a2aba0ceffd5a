"""make bench: a year of preventive visits generated for N service contracts.

Each contract has one covered serial with four preventive visits a year. The visits are
generated in batches of 200 contracts, as the cron does. Time and queries per contract
are printed at two sizes (N/10 and N contracts): the queries per contract stay flat.
"""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, parse_args

BATCH = 200
CUSTOMERS = 200


def setup(env, n, prefix):
    from odoo.fields import Command

    customers = env["res.partner"].create(
        [{"name": f"Bench {prefix} customer {i}", "is_company": True} for i in range(CUSTOMERS)]
    )
    machine = env["product.product"].create(
        {
            "name": f"Bench {prefix} machine",
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
        }
    )
    lots = env["stock.lot"].create(
        [
            {
                "name": f"PRV-{prefix}-{i:06d}",
                "product_id": machine.id,
                "aftersales_customer_id": customers[i % CUSTOMERS].id,
            }
            for i in range(n)
        ]
    )
    contracts = env["aftersales.contract"].create(
        [
            {
                "partner_id": lot.aftersales_customer_id.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "line_ids": [
                    Command.create(
                        {
                            "equipment_product_id": machine.id,
                            "lot_id": lot.id,
                            "preventive_visits": 4,
                        }
                    )
                ],
            }
            for lot in lots
        ]
    )
    # active without the activation hook, which would already generate the visits
    contracts.write({"state": "active"})
    env.flush_all()
    env.invalidate_all()
    return contracts


def generate(env, contracts, label):
    with Measure(env, label) as m:
        for start in range(0, len(contracts), BATCH):
            contracts[start : start + BATCH]._generate_preventive_visits(date(2026, 1, 1))
            env.flush_all()
    return m


def main():
    args = parse_args(__doc__)
    n = args.n
    with odoo_env(args) as env:
        env = env(context={})
        small_n = max(n // 10, 1)
        print(
            f"Setting up {small_n} and {n} contracts with 4 preventive visits a year...", flush=True
        )
        generate(env, setup(env, 1, "warm"), "warm-up")
        small = setup(env, small_n, "small")
        large = setup(env, n, "large")
        rows = [
            (generate(env, small, f"visits of {small_n} contracts"), small_n),
            (generate(env, large, f"visits of {n} contracts"), n),
        ]
        visits = env["aftersales.intervention"].search_count(
            [("preventive_contract_id", "in", (small | large).ids)]
        )
        print()
        print(f"Preventive visits benchmark: {visits} visits created")
        print(f"{'step':<34} {'time':>10}  {'peak memory':>13}  {'queries':>8}  {'per item':>13}")
        for measure, items in rows:
            print(measure.line(items))
        print("(per item = per contract; four visits each)")
        env.cr.rollback()


if __name__ == "__main__":
    main()
