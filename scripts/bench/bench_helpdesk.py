"""make bench: the help desk's costs on a database holding N service contracts.

Measures, as the issue asks:
- one ticket from the web client (coverage look-up, SLA, technician, to-do), with 10 and
  with 10,000 existing tickets;
- a batch of 1,000 tickets (e-mail import, external API): queries per ticket;
- the SLA breach cron over 10,000 open tickets gone overdue: queries and seconds.
"""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, parse_args

EXISTING = 10_000
BATCH = 1_000
CUSTOMERS = 200


def setup(env, n):
    from odoo.fields import Command

    company = env.company
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench desk 8-17",
            "tz": "UTC",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {start}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": end,
                        "day_period": "morning" if start < 12 else "afternoon",
                    }
                )
                for day in range(5)
                for start, end in ((8, 12), (13, 17))
            ],
        }
    )
    group = env.ref("aftersales.group_aftersales_user")
    users = env["res.users"].create(
        [
            {
                "name": f"Bench technician {i}",
                "login": f"bench_tech_{i}",
                "group_ids": [Command.set(group.ids)],
            }
            for i in range(4)
        ]
    )
    team = env["aftersales.team"].create(
        {
            "name": "Bench team",
            "member_ids": [Command.set(users.ids)],
            "leader_id": env.ref("base.user_admin").id,
            "resource_calendar_id": calendar.id,
            "response_hours": 16.0,
            "resolution_hours": 40.0,
            "notify_receipt": False,
            "company_id": company.id,
        }
    )
    customers = env["res.partner"].create(
        [{"name": f"Bench customer {i}", "is_company": True} for i in range(CUSTOMERS)]
    )
    machine = env["product.product"].create(
        {"name": "Bench machine", "type": "consu", "is_storable": True, "tracking": "serial"}
    )
    lots = env["stock.lot"].create(
        [
            {
                "name": f"BENCH-{i:06d}",
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
                "date_start": date(2000, 1, 1),
                "line_ids": [
                    Command.create(
                        {
                            "equipment_product_id": machine.id,
                            "lot_id": lot.id,
                            "response_hours": 8.0,
                            "resolution_hours": 24.0,
                        }
                    )
                ],
            }
            for lot in lots
        ]
    )
    contracts.action_activate()
    env.flush_all()
    return team, users, lots


def ticket_vals(team, lots, count, offset=0):
    return [
        {
            "subject": f"Call {offset + i}",
            "partner_id": lots[(offset + i) % len(lots)].aftersales_customer_id.id,
            "lot_id": lots[(offset + i) % len(lots)].id,
            "team_id": team.id,
        }
        for i in range(count)
    ]


def fill(env, team, lots, count):
    Ticket = env["aftersales.ticket"].with_context(tracking_disable=True)
    for start in range(0, count, 1000):
        Ticket.create(ticket_vals(team, lots, min(1000, count - start), offset=start))
        env.flush_all()
        env.invalidate_all()


def one_web_ticket(env, team, lots, user, label):
    # as the web client: its user, language and time zone in the context
    Ticket = (
        env["aftersales.ticket"]
        .with_user(user)
        .with_context(tracking_disable=False, lang="en_US", tz="Europe/Rome")
    )
    Ticket.create(ticket_vals(team, lots, 1, offset=7))  # warm the caches, as a server is
    vals_list = ticket_vals(team, lots, 1, offset=11)
    env.flush_all()
    env.invalidate_all()
    with Measure(env, label) as m:
        Ticket.create(vals_list)
    return m


def main():
    args = parse_args(__doc__)
    n = args.n
    with odoo_env(args) as env:
        env = env(context={})  # tickets go through the full mail.thread path
        print(f"Setting up {n} contracts with one covered serial each...", flush=True)
        team, users, lots = setup(env, n)
        rows = []
        fill(env, team, lots, 10)
        rows.append((one_web_ticket(env, team, lots, users[0], "one web ticket, 10 existing"), 1))
        print(f"Filling up to {EXISTING} open tickets...", flush=True)
        fill(env, team, lots, EXISTING - env["aftersales.ticket"].search_count([]))
        existing = env["aftersales.ticket"].search_count([])
        rows.append(
            (one_web_ticket(env, team, lots, users[0], f"one web ticket, {existing} existing"), 1)
        )
        vals_list = ticket_vals(team, lots, BATCH, offset=3)
        env.invalidate_all()
        with Measure(env, f"batch of {BATCH} tickets") as batch:
            env["aftersales.ticket"].create(vals_list)
        rows.append((batch, BATCH))

        # A month passes: every open ticket is now past its deadlines.
        env.cr.execute(
            "UPDATE aftersales_ticket SET"
            " sla_response_deadline = sla_response_deadline - interval '30 days',"
            " sla_resolution_deadline = sla_resolution_deadline - interval '30 days',"
            " sla_response_risk_date = sla_response_risk_date - interval '30 days',"
            " sla_resolution_risk_date = sla_resolution_risk_date - interval '30 days',"
            " sla_status = 'on_track' WHERE is_closed IS NOT TRUE"
        )
        env.invalidate_all()
        open_count = env["aftersales.ticket"].search_count([("is_closed", "=", False)])
        with Measure(env, f"breach cron, {open_count} open tickets") as cron:
            env["aftersales.ticket"]._cron_sla_check()
        breached = env["aftersales.ticket"].search_count([("sla_status", "=", "breached")])
        rows.append((cron, open_count))

        print()
        print(f"Help desk benchmark: {n} contracts, {existing} tickets before the batch")
        print(f"{'step':<34} {'time':>10}  {'peak memory':>13}  {'queries':>8}  {'per item':>13}")
        for measure, items in rows:
            print(measure.line(items))
        print(f"(the cron marked {breached} tickets breached; one to-do per team leader)")
        env.cr.rollback()


if __name__ == "__main__":
    main()
