"""make bench: contract invoicing run against a plain batch of account.move.create.

Creates N active contracts (two fee lines each, one period due), then measures, on the
same data:
- baseline: the same invoices created by one ``account.move.create(vals_list)``, then
  posted (rolled back afterwards);
- aftersales: the daily invoicing cron (batches, locks, periods, progress commits through
  ir.cron._commit_progress), then posting its invoices.
Creation is compared with creation: posting depends on the journal's history.
"""

import os
import sys
from datetime import date

from benchlib import Measure, odoo_env, parse_args


def setup(env, n):
    from odoo.fields import Command

    env.company.aftersales_invoice_post = False
    tax = env["account.tax"].search(
        [("type_tax_use", "=", "sale"), ("company_id", "=", env.company.id), ("amount", ">", 0)],
        limit=1,
    )
    products = env["product.product"].create(
        [
            {"name": "Bench maintenance fee", "type": "service", "list_price": 90.0},
            {"name": "Bench preventive visit", "type": "service", "list_price": 35.0},
        ]
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench customer {i}", "is_company": True} for i in range(min(n, 200))]
    )
    start = date.today().replace(day=1)
    vals_list = [
        {
            "partner_id": partners[i % len(partners)].id,
            "date_start": start,
            "billing_period": "monthly",
            "billing_mode": "advance",
            "line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1.0,
                        "price_unit": product.list_price,
                        "tax_ids": [Command.set(tax.ids)],
                    }
                )
                for product in products
            ],
        }
        for i in range(n)
    ]
    contracts = env["aftersales.contract"].create(vals_list)
    contracts.action_activate()
    return contracts


def seed_history(env, contracts, today, size):
    """Invoices posted before the run, then analysed: a database in use has
    history and planner statistics. On a fresh database whose account tables are known
    to be empty, Odoo's reconciled-payments query degenerates once thousands of invoices
    sit in one transaction, for the baseline as for the run."""
    if not size:
        return
    Move = env["account.move"].with_context(default_move_type="out_invoice", tracking_disable=True)
    history = baseline_vals(contracts[:size], today)
    for vals in history:
        vals["invoice_date"] = date(today.year - 1, 12, 31)
    Move.create(history)._post()
    # ANALYZE counts the rows this transaction inserted
    env.cr.execute("ANALYZE")


def baseline_vals(contracts, today):
    """The invoices the run would make, without the contract's own bookkeeping fields."""
    vals_list = []
    for contract in contracts:
        vals = contract._prepare_period_invoice(today)["invoice_vals"]
        for key in ("aftersales_contract_id", "aftersales_period_start", "aftersales_period_end"):
            vals.pop(key)
        for command in vals["invoice_line_ids"]:
            command[2].pop("aftersales_contract_line_id")
        vals_list.append(vals)
    return vals_list


def main():
    args = parse_args(__doc__)
    n = args.n
    with odoo_env(args) as env:
        contracts = setup(env, n)
        today = date.today()
        seed_history(env, contracts, today, int(os.environ.get("BENCH_HISTORY") or 0))
        Move = env["account.move"].with_context(
            default_move_type="out_invoice", tracking_disable=True
        )
        # Warm Python-level caches (views, ORM metadata) for both sides alike.
        warm = contracts[: max(n // 20, 5)]
        with env.cr.savepoint() as savepoint:
            Move.create(baseline_vals(warm, today))
            warm._invoice_next_period(today)
            savepoint.rollback()

        vals_list = baseline_vals(contracts, today)
        # One batch by default. At 5,000 invoices in one batch, Odoo's own
        # account.move._compute_reconciled_payment_ids query runs for many minutes, so
        # BENCH_BASELINE_BATCH=1000 splits the baseline into batches of 1,000.
        chunk = int(os.environ.get("BENCH_BASELINE_BATCH") or n)
        env.invalidate_all()
        with env.cr.savepoint() as savepoint:
            with Measure(env, f"baseline: account.move.create/{chunk}") as base_create:
                moves = Move.browse()
                for start in range(0, n, chunk):
                    moves |= Move.create(vals_list[start : start + chunk])
            env.invalidate_all()
            with Measure(env, "baseline: post") as base_post:
                moves._post()
            savepoint.rollback()
        env.invalidate_all()

        with Measure(env, "aftersales: invoicing cron") as ours_create:
            env["aftersales.contract"].with_context(tracking_disable=False)._cron_create_invoices()
        moves = env["account.move"].search([("aftersales_contract_id", "in", contracts.ids)])
        env.invalidate_all()
        with Measure(env, "aftersales: post") as ours_post:
            moves._post()

    if len(moves) != n:
        print(f"ERROR: {len(moves)} invoices for {n} contracts", file=sys.stderr)
        sys.exit(1)
    print(f"\nContract invoicing, N = {n} contracts (one invoice each, two lines)")
    for measure in (base_create, ours_create, base_post, ours_post):
        print("  " + measure.line(n))
    print(
        f"  creation ratio: time {ours_create.seconds / base_create.seconds:.2f}x, "
        f"queries per contract {ours_create.queries / n:.2f} vs {base_create.queries / n:.2f} "
        f"(+{(ours_create.queries - base_create.queries) / n:.2f})"
    )
    print(
        f"  posting ratio:  time {ours_post.seconds / base_post.seconds:.2f}x, "
        f"queries per contract {ours_post.queries / n:.2f} vs {base_post.queries / n:.2f}"
    )


if __name__ == "__main__":
    main()
