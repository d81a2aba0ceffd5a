"""make load, step 1: the people and records the load test works on.

Creates, on a database with the module and no demo data: a help desk team of TECHNICIANS
technicians (logins load_tech_<i>), and CUSTOMERS customers, each with a portal user
(load_portal_<i>), two serials under an active contract and a few open tickets. Every
password is the login. Records are created in batches and committed once.
"""

import sys
from datetime import date, timedelta
from pathlib import Path

# the Odoo environment of the benchmarks (scripts/bench/benchlib.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from benchlib import odoo_env, parse_args

CUSTOMERS = 50
TECHNICIANS = 10
TICKETS_PER_CUSTOMER = 6


def _users(env, prefix, count, group_xmlid, partners=None):
    from odoo.fields import Command

    group = env.ref(group_xmlid)
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"{prefix.replace('_', ' ').title()} {i}",
                    "login": f"{prefix}_{i}",
                    "password": f"{prefix}_{i}",
                    "group_ids": [Command.set(group.ids)],
                    **({"partner_id": partners[i].id} if partners else {}),
                }
                for i in range(count)
            ]
        )
    )


def setup(env):
    from odoo.fields import Command

    technicians = _users(env, "load_tech", TECHNICIANS, "aftersales.group_aftersales_user")
    stages = env["aftersales.ticket.stage"].search([])
    team = env["aftersales.team"].create(
        {
            "name": "Load team",
            "member_ids": [Command.set(technicians.ids)],
            "stage_ids": [Command.set(stages.ids)],
        }
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Load customer {i}", "is_company": True, "email": f"load{i}@example.com"}
            for i in range(CUSTOMERS)
        ]
    )
    _users(env, "load_portal", CUSTOMERS, "base.group_portal", partners=customers)
    machine = env["product.product"].create(
        {
            "name": "Load espresso machine",
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
        }
    )
    fee = env["product.product"].create({"name": "Load maintenance fee", "type": "service"})
    lots = env["stock.lot"].create(
        [
            {
                "name": f"LOAD-{i:03d}-{k}",
                "product_id": machine.id,
                "aftersales_customer_id": customer.id,
            }
            for i, customer in enumerate(customers)
            for k in range(2)
        ]
    )
    start = date.today() - timedelta(days=30)
    contracts = env["aftersales.contract"].create(
        [
            {
                "partner_id": customer.id,
                "date_start": start,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": fee.id,
                            "name": "Maintenance",
                            "price_unit": 30.0,
                            "lot_id": lot.id,
                            "equipment_product_id": machine.id,
                            "date_start": start,
                        }
                    )
                    for lot in lots[2 * i : 2 * i + 2]
                ],
            }
            for i, customer in enumerate(customers)
        ]
    )
    contracts.action_activate()
    env["aftersales.ticket"].create(
        [
            {
                "subject": f"Load call {k}",
                "partner_id": customer.id,
                "lot_id": lots[2 * i + k % 2].id,
                "team_id": team.id,
                "channel": "portal",
            }
            for i, customer in enumerate(customers)
            for k in range(TICKETS_PER_CUSTOMER)
        ]
    )


def main():
    args = parse_args(__doc__)
    with odoo_env(args) as env:
        if env["res.users"].search_count([("login", "=", "load_tech_0")]):
            print("load data already present")
            return
        setup(env)
        env.cr.commit()
        print(
            f"load data: {TECHNICIANS} technicians, {CUSTOMERS} portal customers, "
            f"{CUSTOMERS * TICKETS_PER_CUSTOMER} tickets"
        )


if __name__ == "__main__":
    main()
