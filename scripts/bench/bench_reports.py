"""make bench: the After-Sales reports at scale (issue 10).

Builds, once per database, 100,000 tickets, 50,000 interventions (with their
timesheet lines), 10,000 hour-bank contracts (with their ledgers) and a year of
weekly capacity for 20 technicians: a few records through the ORM, the bulk cloned
from them in set-based SQL. Then times each report's grouped pivot, as a manager
opens it (record rules applied): read_group by month x team (or the report's
nearest pair) with the pivot's default measures. Goal: under 1 s each. The plan
of each query is printed with EXPLAIN ANALYZE.

``REPORTS`` is a list of (label, function(env) -> read_group result, model): another
report joins the bench by appending to it (see ``bench_report``).
"""

import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import odoo_env, parse_args, save

TICKETS = 100_000
INTERVENTIONS = 50_000
CONTRACTS = 10_000
TEAMS = 5
TECHNICIANS_PER_TEAM = 4
CUSTOMERS = 200
LOTS = 2_000
DAYS = 730  # the data spreads over the last two years

REPORTS = []


def bench_report(label, model):
    """Register ``function(env)`` as the grouped pivot of ``model`` to time."""

    def register(function):
        REPORTS.append((label, function, model))
        return function

    return register


@bench_report("Service levels", "aftersales.service.level.report")
def service_levels(env):
    return env["aftersales.service.level.report"]._read_group(
        [],
        ["date_open:month", "team_id"],
        [
            "__count",
            "response_time:avg",
            "resolution_time:avg",
            "response_compliance:avg",
            "resolution_compliance:avg",
        ],
    )


@bench_report("Utilisation", "aftersales.utilisation.report")
def utilisation(env):
    return env["aftersales.utilisation.report"]._read_group(
        [],
        ["week_start:month", "team_id"],
        ["available_hours:sum", "planned_hours:sum", "worked_hours:sum", "utilisation:avg"],
    )


@bench_report("Planned vs executed", "aftersales.intervention")
def planned_executed(env):
    return env["aftersales.intervention"]._read_group(
        [("state", "!=", "cancel"), ("state", "=", "done")],
        ["date_planned_start:month", "team_id"],
        ["planned_hours:sum", "actual_hours:sum", "hours_variance:sum"],
    )


@bench_report("Preventive due vs done", "aftersales.intervention")
def preventive(env):
    return env["aftersales.intervention"]._read_group(
        [("preventive_line_id", "!=", False), ("state", "!=", "cancel")],
        ["preventive_year_start:year", "team_id"],
        ["preventive_due:sum", "preventive_done:sum"],
    )


@bench_report("Hour bank balances", "aftersales.hour.bank.report")
def hour_banks(env):
    # hour banks have no team: month x customer
    return env["aftersales.hour.bank.report"]._read_group(
        [],
        ["date:month", "partner_id"],
        ["bought_hours:sum", "consumed_hours:sum", "expired_hours:sum", "remaining_hours:sum"],
    )


# ----------------------------------------------------------------------
# The data
# ----------------------------------------------------------------------
def clone_rows(env, table, template_id, count, overrides):
    """Insert ``count`` copies of row ``template_id`` of ``table`` in one statement;
    ``overrides`` maps a column to an SQL expression of ``g`` (1..count) and of the
    template row ``t``. Returns the new ids in order of ``g``."""
    cr = env.cr
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cr.fetchall()]
    select = ", ".join(overrides.get(column, f't."{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    # no query parameters: the expressions use % (modulo)
    cr.execute(
        f'INSERT INTO "{table}" ({names}) SELECT {select}'
        f' FROM "{table}" t, generate_series(1, {int(count)}) AS g'
        f" WHERE t.id = {int(template_id)} ORDER BY g RETURNING id"
    )
    return [row[0] for row in cr.fetchall()]


def pick(ids, index="g"):
    """An SQL expression choosing from ``ids`` in turn."""
    return f"(ARRAY[{','.join(map(str, ids))}])[1 + ({index}) % {len(ids)}]"


def setup(env):
    from odoo.fields import Command

    company = env.company
    calendar = company.resource_calendar_id
    group = env.ref("aftersales.group_aftersales_user")
    users = env["res.users"].create(
        [
            {
                "name": f"Report technician {i}",
                "login": f"bench_report_tech_{i}",
                "group_ids": [Command.set(group.ids)],
            }
            for i in range(TEAMS * TECHNICIANS_PER_TEAM)
        ]
    )
    env["res.users"].create(
        {
            "name": "Report manager",
            "login": "bench_report_manager",
            "group_ids": [Command.set(env.ref("aftersales.group_aftersales_manager").ids)],
        }
    )
    employees = env["hr.employee"].create(
        [
            {"name": user.name, "user_id": user.id, "resource_calendar_id": calendar.id}
            for user in users
        ]
    )
    teams = env["aftersales.team"].create(
        [
            {
                "name": f"Report team {i}",
                "member_ids": [
                    Command.set(
                        users[i * TECHNICIANS_PER_TEAM : (i + 1) * TECHNICIANS_PER_TEAM].ids
                    )
                ],
                "resource_calendar_id": calendar.id,
                "response_hours": 8.0,
                "resolution_hours": 24.0,
                "notify_receipt": False,
                "notify_technician": False,
            }
            for i in range(TEAMS)
        ]
    )
    customers = env["res.partner"].create(
        [{"name": f"Report customer {i}", "is_company": True} for i in range(CUSTOMERS)]
    )
    machine = env["product.product"].create(
        {"name": "Report machine", "is_storable": True, "tracking": "serial"}
    )
    lots = env["stock.lot"].create(
        [
            {
                "name": f"RPT-{i:05d}",
                "product_id": machine.id,
                "aftersales_customer_id": customers[i % CUSTOMERS].id,
            }
            for i in range(LOTS)
        ]
    )

    solved, new = env.ref("aftersales.stage_solved"), env.ref("aftersales.stage_new")
    ticket = env["aftersales.ticket"].create(
        {
            "subject": "Report template call",
            "partner_id": customers[0].id,
            "team_id": teams[0].id,
            "user_id": users[0].id,
        }
    )
    contract = env["aftersales.contract"].create(
        {
            "partner_id": customers[0].id,
            "contract_kind": "hour_bank",
            "date_start": "2025-01-01",
            "date_end": "2026-12-31",
        }
    )
    intervention = env["aftersales.intervention"].create(
        {
            "summary": "Report template visit",
            "partner_id": customers[0].id,
            "team_id": teams[0].id,
            "employee_ids": [Command.set(employees[:1].ids)],
            "ticket_id": ticket.id,
        }
    )
    time_entry = env["aftersales.intervention.time"].create(
        {
            "intervention_id": intervention.id,
            "employee_id": employees[0].id,
            "date_start": "2024-01-08 08:00:00",
            "date_end": "2024-01-08 10:00:00",
        }
    )
    env.flush_all()

    t0 = time.perf_counter()
    # tickets: 85% solved, spread over two years, each team's calls to its technicians
    opened = f"(now() AT TIME ZONE 'UTC') - make_interval(days => g % {DAYS}, hours => g % 9)"
    closed = "g % 20 >= 3"
    team_of = f"(g % {TEAMS})"
    user_of = f"({team_of} * {TECHNICIANS_PER_TEAM} + (g / {TEAMS}) % {TECHNICIANS_PER_TEAM})"
    ticket_ids = clone_rows(
        env,
        "aftersales_ticket",
        ticket.id,
        TICKETS - 1,
        {
            "name": "'RPT/' || g",
            "date_open": opened,
            "team_id": pick(teams.ids, team_of),
            "user_id": pick(users.ids, user_of),
            "partner_id": pick(customers.ids),
            "commercial_partner_id": pick(customers.ids),
            "lot_id": pick(lots.ids),
            "product_id": str(machine.id),
            "priority": "((g % 4)::text)",
            "coverage_kind": "(ARRAY['contract','warranty','hour_bank','billable'])[1 + g % 4]",
            "stage_id": f"CASE WHEN {closed} THEN {solved.id} ELSE {new.id} END",
            "is_closed": closed,
            "date_first_reply": f"{opened} + make_interval(mins => 30 + (g % 600))",
            "date_closed": (
                f"CASE WHEN {closed} THEN {opened} + make_interval(hours => 4 + g % 60) END"
            ),
            "sla_response_hours": "8",
            "sla_resolution_hours": "24",
            "sla_response_deadline": f"{opened} + interval '8 hours'",
            "sla_resolution_deadline": f"{opened} + interval '48 hours'",
            "sla_response_time": "(30 + (g % 600)) / 60.0 * 0.4",
            "sla_resolution_time": f"CASE WHEN {closed} THEN (4 + g % 60) * 0.35 END",
            "sla_status": f"CASE WHEN {closed} THEN 'met' ELSE 'on_track' END",
        },
    )
    ticket_ids.insert(0, ticket.id)
    t_tickets = time.perf_counter() - t0

    planned = f"(now() AT TIME ZONE 'UTC') - make_interval(days => g % {DAYS}) + interval '7 hours'"
    intervention_ids = clone_rows(
        env,
        "aftersales_intervention",
        intervention.id,
        INTERVENTIONS - 1,
        {
            "name": "'RPT-I/' || g",
            "ticket_id": pick(ticket_ids, "g * 2"),
            "team_id": pick(teams.ids, team_of),
            "partner_id": pick(customers.ids),
            "commercial_partner_id": pick(customers.ids),
            "state": "CASE WHEN g % 10 = 0 THEN 'planned' ELSE 'done' END",
            "date_planned_start": planned,
            "date_planned_end": f"{planned} + make_interval(hours => 1 + g % 4)",
            "planned_hours": "1 + g % 4",
            "date_start": f"{planned} + make_interval(mins => g % 45)",
            "date_end": f"{planned} + make_interval(mins => g % 45 + 60 + g % 200)",
            "actual_hours": "(60 + g % 200) / 60.0",
            "hours_variance": "(60 + g % 200) / 60.0 - (1 + g % 4)",
        },
    )
    intervention_ids.insert(0, intervention.id)
    cr = env.cr
    cr.execute(
        "INSERT INTO aftersales_intervention_hr_employee_rel"
        " (aftersales_intervention_id, hr_employee_id)"
        f" SELECT i.id, {pick(employees.ids, 'i.id')} FROM aftersales_intervention i"
        f" WHERE i.id > {int(intervention.id)} AND i.id <= {int(max(intervention_ids))}"
    )
    line = time_entry.timesheet_ids[:1]
    clone_rows(
        env,
        "account_analytic_line",
        line.id,
        INTERVENTIONS - 1,
        {
            "aftersales_intervention_id": pick(intervention_ids, "g"),
            "aftersales_time_id": "NULL",
            "employee_id": pick(employees.ids, "g"),
            "user_id": pick(users.ids, "g"),
            "date": f"(now() AT TIME ZONE 'UTC')::date - (g % {DAYS})",
            "unit_amount": "(60 + g % 200) / 60.0",
            "aftersales_time_type": "CASE WHEN g % 5 = 0 THEN 'travel' ELSE 'work' END",
            "aftersales_hour_kind": "CASE WHEN g % 7 = 0 THEN 'overtime' ELSE 'normal' END",
        },
    )
    t_interventions = time.perf_counter() - t0 - t_tickets

    contract_ids = clone_rows(
        env,
        "aftersales_contract",
        contract.id,
        CONTRACTS - 1,
        {
            "name": "'RPT-C/' || g",
            "partner_id": pick(customers.ids),
            "commercial_partner_id": pick(customers.ids),
            "date_start": "DATE '2025-01-01' + (g % 365)",
            "date_end": "DATE '2025-01-01' + (g % 365) + 540",
        },
    )
    contract_ids.insert(0, contract.id)
    # the ledger: 40 hours bought at the start, 1-4 hours consumed every month for a year
    cr.execute(
        """
        INSERT INTO aftersales_hour_move
            (contract_id, company_id, date, kind, name, hours,
             create_uid, create_date, write_uid, write_date)
        SELECT c.id, c.company_id, c.date_start + m.month * 30,
               CASE WHEN m.month = 0 THEN 'purchase' ELSE 'consumption' END, 'bench',
               CASE WHEN m.month = 0 THEN 40 ELSE -(1 + (c.id + m.month) %% 4) END,
               1, now(), 1, now()
          FROM aftersales_contract c, generate_series(0, 12) AS m(month)
         WHERE c.id = ANY(%s)
        """,
        [contract_ids],
    )
    # what the ledger's create keeps: its month-by-month summary
    env["aftersales.hour.bank.month"]._refresh(contract_ids)
    t_contracts = time.perf_counter() - t0 - t_tickets - t_interventions
    env["aftersales.technician.capacity"]._refresh(employees=employees)
    for table in (
        "aftersales_ticket",
        "aftersales_intervention",
        "account_analytic_line",
        "aftersales_contract",
        "aftersales_hour_move",
        "aftersales_hour_bank_month",
        "aftersales_technician_capacity",
        "aftersales_intervention_hr_employee_rel",
    ):
        cr.execute(f'ANALYZE "{table}"')
    env.invalidate_all()
    return t_tickets, t_interventions, t_contracts


# ----------------------------------------------------------------------
# The measures
# ----------------------------------------------------------------------
class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        message = record.getMessage()
        if "query: " in message:
            self.queries.append(message.split("query: ", 1)[1])


def explain(env, function, model):
    """EXPLAIN ANALYZE of the read_group's main query (the one reading the model's
    table with a GROUP BY)."""
    logger = logging.getLogger("odoo.sql_db")
    handler, level, propagate = _Capture(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        env.invalidate_all()
        function(env)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    table = env[model]._table
    queries = [q for q in handler.queries if f'"{table}"' in q and "GROUP BY" in q]
    if not queries:
        return "(no grouped query captured)"
    env.cr.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + queries[-1])
    return "\n".join(row[0] for row in env.cr.fetchall())


def main():
    args = parse_args(__doc__)
    with odoo_env(args) as env:
        env.cr.execute("SELECT count(*) FROM aftersales_ticket")
        if env.cr.fetchone()[0] < TICKETS:
            times = setup(env)
            save(env)
            print(
                f"data: {TICKETS:,} tickets {times[0]:.1f} s, {INTERVENTIONS:,} interventions"
                f" + timesheet lines {times[1]:.1f} s, {CONTRACTS:,} hour banks + ledgers"
                f" {times[2]:.1f} s"
            )
        manager = env["res.users"].search([("login", "=", "bench_report_manager")])
        user_env = env(user=manager)
        print(f"{'report (month x team, manager)':<34} {'cold':>8} {'warm':>8} {'groups':>8}")
        plans = []
        for label, function, model in REPORTS:
            timings = []
            for _run in range(3):
                user_env.invalidate_all()
                start = time.perf_counter()
                result = function(user_env)
                timings.append(time.perf_counter() - start)
            print(f"{label:<34} {timings[0]:7.3f}s {min(timings[1:]):7.3f}s {len(result):8d}")
            plans.append((label, explain(user_env, function, model)))
        for label, plan in plans:
            print(f"\n--- {label}: EXPLAIN ANALYZE\n{plan}")
        env.cr.rollback()


if __name__ == "__main__":
    main()
