"""make race: two Odoo servers with cron workers on one database, over a backlog.

1. Builds a backlog: CONTRACTS monthly contracts started seven months ago (each owes its
   periods up to this month), RENEWALS contracts past their notice date (tacit renewal),
   TICKETS open tickets past their SLA deadline on teams with a leader, and, when the
   add-on has them, contract lines with preventive visits.
2. Every cron of the add-on is doubled (a copy of each job with the same code), so that the
   two servers run the same work at the same time, not only one after the other.
3. Starts two prefork servers (2 HTTP workers, 2 cron workers each) on 127.0.0.1, wakes
   their crons, kills one with SIGKILL (the whole process group) while it works, lets the
   other go on, restarts the killed one and wakes the crons again until the backlog is done.
4. Checks, in SQL: no duplicate invoice (contract, period), no period missing, at most one
   live successor per contract, every renewal made, every overdue ticket breached and
   counted in exactly one leader to-do, no duplicate preventive visit; and no error in the
   servers' logs except the lock and serialization conflicts that the crons skip.

Prints the figures; exits non-zero when a check fails.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

# the prefork server as a script (scripts/dev/odoo_server.py), as `make run` starts it
ODOO_SERVER = Path(__file__).resolve().parent.parent / "dev" / "odoo_server.py"

MONTHS_BACK = 7
EXPECTED_LOG = re.compile(
    r"could not serialize access|could not obtain lock|LockNotAvailable|"
    r"Job '.*' \(\d+\) server action #\d+ failed|bad query|processed no record|"
    r"concurrent update|SerializationFailure"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--renewals", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--timeout", type=int, default=900)
    return parser.parse_args()


def registry(args):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    return Registry(args.database)


def setup(env, args):
    from odoo.fields import Command

    today = date.today()
    start = (today - relativedelta(months=MONTHS_BACK)).replace(day=1)
    customers = env["res.partner"].create(
        [{"name": f"Race customer {i}", "is_company": True} for i in range(20)]
    )
    fee = env["product.product"].create({"name": "Race fee", "type": "service"})
    line = {"product_id": fee.id, "price_unit": 50.0, "quantity": 1.0}
    if "preventive_visits" in env["aftersales.contract.line"]._fields:
        line["preventive_visits"] = 2
    contracts = env["aftersales.contract"].create(
        [
            {
                "partner_id": customers[i % 20].id,
                "date_start": start,
                "billing_period": "monthly",
                "billing_mode": "advance",
                "period_alignment": "calendar",
                "line_ids": [Command.create(dict(line))],
            }
            for i in range(args.contracts)
        ]
    )
    renewals = env["aftersales.contract"].create(
        [
            {
                "partner_id": customers[i % 20].id,
                "date_start": today - relativedelta(months=11),
                "date_end": today + timedelta(days=30),
                "billing_period": "annual",
                "billing_mode": "advance",
                "period_alignment": "start",
                "renewal_type": "tacit",
                "notice_days": 60,
                "line_ids": [Command.create({"product_id": fee.id, "price_unit": 400.0})],
            }
            for i in range(args.renewals)
        ]
    )
    (contracts | renewals).action_activate()
    # the renewals' first year is already invoiced: only the renewal is due
    renewals.write({"next_period_start": today + timedelta(days=31)})
    leaders = env["res.users"].create(
        [{"name": f"Race leader {i}", "login": f"race_leader_{i}"} for i in range(2)]
    )
    teams = env["aftersales.team"].create(
        [
            {"name": f"Race team {i}", "leader_id": leaders[i].id, "resolution_hours": 1.0}
            for i in range(2)
        ]
    )
    tickets = env["aftersales.ticket"].create(
        [
            {
                "subject": f"Race call {i}",
                "partner_id": customers[i % 20].id,
                "team_id": teams[i % 2].id,
            }
            for i in range(args.tickets)
        ]
    )
    # overdue but not yet seen by the cron
    env.cr.execute(
        "UPDATE aftersales_ticket SET sla_status = 'on_track',"
        " sla_resolution_deadline = now() - interval '1 hour',"
        " sla_resolution_risk_date = now() - interval '2 hours' WHERE id = ANY(%s)",
        [tickets.ids],
    )
    expected_periods = sum(
        1
        for c in contracts
        for k in range(MONTHS_BACK + 1)
        if c.date_start + relativedelta(months=k) <= today
    )
    return {
        "contracts": contracts.ids,
        "renewals": renewals.ids,
        "tickets": tickets.ids,
        "teams": teams.ids,
        "expected_invoices": expected_periods,
    }


def double_crons(env):
    """A copy of each cron of the add-on, so that both servers run the same code at once;
    every other cron is switched off to keep the logs to what is measured."""
    ours = env["ir.cron"].search([("ir_actions_server_id.model_id.model", "like", "aftersales.%")])
    env["ir.cron"].search([("id", "not in", ours.ids)]).active = False
    crons = ours | ours.copy()
    crons.write({"active": True})
    return crons


def wake(env, cron_ids):
    """Ask for a run of each job now, the way Odoo does (a trigger row and a notification
    to the cron workers); a job already running is not touched."""
    for cron in env["ir.cron"].browse(cron_ids):
        cron._trigger()
    env.cr.commit()


def start_server(args, port, log):
    cmd = [
        args.python,
        str(ODOO_SERVER),
        "-c",
        args.config,
        "-d",
        args.database,
        f"--db-filter=^{args.database}$",
        f"--http-port={port}",
        f"--gevent-port={port + 3}",
        "--http-interface=127.0.0.1",
        "--workers=2",
        "--max-cron-threads=2",
        "--limit-time-cpu=600",
        "--limit-time-real=1200",
        "--log-level=warn",
    ]
    handle = open(log, "a")  # noqa: SIM115 - kept open for the server's life
    return subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def progress(cr, world):
    cr.execute(
        "SELECT count(*) FROM account_move WHERE aftersales_contract_id = ANY(%s)"
        " AND state != 'cancel'",
        [world["contracts"]],
    )
    invoices = cr.fetchone()[0]
    cr.execute(
        "SELECT count(DISTINCT predecessor_id) FROM aftersales_contract"
        " WHERE predecessor_id = ANY(%s) AND state != 'cancel'",
        [world["renewals"]],
    )
    renewed = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM aftersales_ticket WHERE id = ANY(%s) AND sla_status = 'breached'",
        [world["tickets"]],
    )
    breached = cr.fetchone()[0]
    return invoices, renewed, breached


def done(world, figures):
    invoices, renewed, breached = figures
    return (
        invoices >= world["expected_invoices"]
        and renewed >= len(world["renewals"])
        and breached >= len(world["tickets"])
    )


def checks(cr, world, logs):
    problems = []
    cr.execute(
        """SELECT count(*) FROM (
               SELECT 1 FROM account_move WHERE aftersales_contract_id = ANY(%s)
                  AND state != 'cancel'
             GROUP BY aftersales_contract_id, aftersales_period_start HAVING count(*) > 1) d""",
        [world["contracts"]],
    )
    duplicates = cr.fetchone()[0]
    invoices, renewed, breached = progress(cr, world)
    cr.execute(
        """SELECT count(*) FROM (
               SELECT 1 FROM aftersales_contract WHERE predecessor_id = ANY(%s)
                  AND state != 'cancel' GROUP BY predecessor_id HAVING count(*) > 1) d""",
        [world["renewals"]],
    )
    second_successors = cr.fetchone()[0]
    cr.execute(
        "SELECT summary FROM mail_activity WHERE res_model = 'aftersales.team'"
        " AND res_id = ANY(%s)",
        [world["teams"]],
    )
    counted = sum(int(re.search(r"\d+", s).group()) for (s,) in cr.fetchall() if s)
    visits = duplicate_visits = None
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'aftersales_intervention'"
        " AND column_name = 'contract_line_id'"
    )
    if cr.fetchone():
        cr.execute(
            "SELECT count(*) FROM aftersales_intervention i JOIN aftersales_contract_line l"
            " ON l.id = i.contract_line_id WHERE l.contract_id = ANY(%s)"
            " AND i.intervention_type = 'preventive' AND i.state != 'cancel'",
            [world["contracts"]],
        )
        visits = cr.fetchone()[0]
        cr.execute(
            """SELECT count(*) FROM (
                   SELECT 1 FROM aftersales_intervention i JOIN aftersales_contract_line l
                       ON l.id = i.contract_line_id
                    WHERE l.contract_id = ANY(%s) AND i.intervention_type = 'preventive'
                      AND i.state != 'cancel'
                 GROUP BY i.contract_line_id, i.date_planned_start HAVING count(*) > 1) d""",
            [world["contracts"]],
        )
        duplicate_visits = cr.fetchone()[0]
    errors = []
    for log in logs:
        for line in Path(log).read_text(errors="replace").splitlines():
            if re.match(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", line) and not EXPECTED_LOG.search(line):
                errors.append(line[:200])
    print(f"contracts invoiced:           {len(world['contracts'])}")
    print(f"invoices expected / made:     {world['expected_invoices']} / {invoices}")
    print(f"duplicate invoices:           {duplicates}")
    print(f"renewals expected / made:     {len(world['renewals'])} / {renewed}")
    print(f"contracts with 2 successors:  {second_successors}")
    print(f"tickets breached / in to-dos: {breached} / {counted} (of {len(world['tickets'])})")
    if visits is not None:
        print(f"preventive visits / doubled:  {visits} / {duplicate_visits}")
    print(f"unexpected errors logged:     {len(errors)}")
    if duplicates:
        problems.append("duplicate invoices")
    if invoices != world["expected_invoices"]:
        problems.append("periods missing or extra")
    if second_successors or renewed != len(world["renewals"]):
        problems.append("renewals wrong")
    if breached != len(world["tickets"]) or counted != breached:
        problems.append("SLA breaches or leader to-dos wrong")
    if duplicate_visits:
        problems.append("duplicate preventive visits")
    problems += errors[:10]
    return problems


def wait(cr_factory, world, seconds, until=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with cr_factory() as cr:
            figures = progress(cr, world)
        if done(world, figures) or (until and until(figures)):
            return figures
        time.sleep(2)
    return figures


def stop(server, sig=signal.SIGTERM):
    try:
        os.killpg(server.pid, sig)
    except ProcessLookupError:
        return
    server.wait(timeout=60)


def main():
    args = parse_args()
    reg = registry(args)
    import odoo

    with reg.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        world = setup(env, args)
        world["crons"] = double_crons(env).ids
        cr.commit()
    print(
        f"backlog: {world['expected_invoices']} invoices, {len(world['renewals'])} renewals,"
        f" {len(world['tickets'])} overdue tickets; {len(world['crons'])} cron jobs (each doubled)"
    )
    logs = [f"{args.logdir}/race-a.log", f"{args.logdir}/race-b.log"]
    for log in logs:
        Path(log).write_text("")
    base_port = int(os.environ.get("RACE_PORT", "18269"))
    ports = (base_port, base_port + 10)
    server_a = start_server(args, ports[0], logs[0])
    server_b = start_server(args, ports[1], logs[1])
    started = time.monotonic()
    try:
        time.sleep(8)
        with reg.cursor() as cr:
            wake(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), world["crons"])
        # kill server A once it has made part of the invoices
        wait(reg.cursor, world, 300, until=lambda f: f[0] >= world["expected_invoices"] // 4)
        stop(server_a, signal.SIGKILL)
        print(f"server A killed (SIGKILL) after {time.monotonic() - started:.0f} s")
        wait(reg.cursor, world, 60)
        server_a = start_server(args, ports[0], logs[0])
        time.sleep(8)
        while time.monotonic() - started < args.timeout:
            with reg.cursor() as cr:
                wake(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), world["crons"])
            figures = wait(reg.cursor, world, 60)
            if done(world, figures):
                break
        print(f"backlog done in {time.monotonic() - started:.0f} s")
    finally:
        stop(server_a)
        stop(server_b)
    with reg.cursor() as cr:
        problems = checks(cr, world, logs)
    for problem in problems:
        print("PROBLEM:", problem)
    print("race: all checks passed" if not problems else f"race: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
