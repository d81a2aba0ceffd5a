"""make bench-million: the help desk at 10,000 and at 1,000,000 tickets (issue 11 §4).

The data is made in two steps. The ORM makes one *seed unit*, so that every stored
computed field is what the add-on computes: a customer, 5 serials, one active contract
(a fee line and the 5 serials), and 50 tickets on those serials, 2 of them open. Then
set-based SQL copies the unit (``INSERT ... SELECT ... FROM seed CROSS JOIN
generate_series``) 20,000 times: 20,000 customers and contracts, 100,000 serials and
contract lines. Each copy's ids are computed (``base + (copy - 1) * rows + rank``), so
the copies' links between themselves (customer, serial, contract, contract line) are
rewritten by arithmetic, and names follow a numbering scheme. Tickets are copied the
same way, 50 per unit: 200 units give 10,000 tickets, 20,000 units 1,000,000. Their
dates are spread backwards from now, 5 minutes apart, deadlines moved by as much.

The backlog stays the 400 newest tickets at every size: the history grows, not the work
in hand. Measured at both sizes, in the same database, with warm caches:
- the back-office ticket list (80 rows, *Open* filter) and the kanban's first load
  (web_read_group by stage with the kanban's fields, plus its progress bars), as a
  technician (one of 4 teams, by record rule) and as a manager, and the list once the
  *Open* facet is removed;
- the search view's *Ticket* field (number or subject), "tickets of this serial" and
  "tickets of this customer" (name_search, then the search view's domains);
- /my/tickets of one customer, as its portal user (count and first page);
- the SLA cron over 200 newly late tickets and the invoicing cron over 50 due contracts.

The database is kept (committed) afterwards for EXPLAIN; ``make bench-million`` rebuilds it.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, save

UNITS = 20_000  # customers and contracts
LOTS_PER_UNIT = 5  # 100,000 serials
TICKETS_PER_UNIT = 50  # 1,000,000 tickets at 20,000 units
OPEN_PER_UNIT = 2
TEAMS = 4
BACKLOG = 400  # open tickets: the newest, at each size; the history grows, not the backlog
SLA_DUE = 200  # tickets the SLA cron finds late, at each size
INVOICE_DUE = 50  # contracts the invoicing cron finds due, at each size
# Odoo's own product-account look-up (stock_account's get_product_accounts, reading the
# company-dependent accounts) runs once or twice per invoicing run, whatever the size:
# 159 or 161 queries from one run to the next, in either order
NOISY_QUERIES = 2
REPEAT = 3  # runs of each step; the fastest counts (the crons run once: due sets)
MAX_TICKETS = UNITS * TICKETS_PER_UNIT
STEP = "5 minutes"  # between two tickets' dates

CLONED = {
    "res.partner": "res_partner",
    "stock.lot": "stock_lot",
    "aftersales.contract": "aftersales_contract",
    "aftersales.contract.line": "aftersales_contract_line",
    "aftersales.ticket": "aftersales_ticket",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", default=f"10000,{MAX_TICKETS}")
    parser.add_argument(
        "--explain-ms",
        type=float,
        default=0,
        help="print EXPLAIN (ANALYZE, BUFFERS) of the measured queries slower than this",
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the database as it is, without generating anything",
    )
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if any(size % TICKETS_PER_UNIT or not 0 < size <= MAX_TICKETS for size in args.sizes):
        parser.error(f"sizes are multiples of {TICKETS_PER_UNIT} up to {MAX_TICKETS}")
    return args


# ----------------------------------------------------------------------------------
# The seed unit, through the ORM
# ----------------------------------------------------------------------------------
def make_users_and_teams(env):
    from odoo.fields import Command

    tech_group = env.ref("aftersales.group_aftersales_user")
    manager_group = env.ref("aftersales.group_aftersales_manager")
    technicians = env["res.users"].create(
        [
            {
                "name": f"Bench technician {i}",
                "login": f"bench_tech_{i}",
                "group_ids": [Command.set(tech_group.ids)],
            }
            for i in range(TEAMS * 2)
        ]
    )
    manager = env["res.users"].create(
        {
            "name": "Bench manager",
            "login": "bench_manager",
            "group_ids": [Command.set(manager_group.ids)],
        }
    )
    teams = env["aftersales.team"].create(
        [
            {
                "name": f"Bench team {i}",
                "member_ids": [Command.set(technicians[2 * i : 2 * i + 2].ids)],
                "leader_id": manager.id,
                "notify_receipt": False,
                "notify_technician": False,
                "response_hours": 8.0,
                "resolution_hours": 24.0,
            }
            for i in range(TEAMS)
        ]
    )
    return technicians, manager, teams


def make_seed_unit(env, teams):
    from odoo.fields import Command

    env.company.aftersales_invoice_post = False
    customer = env["res.partner"].create(
        {"name": "Bench customer seed", "is_company": True, "email": "seed@bench.example"}
    )
    machine, fee = env["product.product"].create(
        [
            {"name": "Bench machine", "type": "consu", "is_storable": True, "tracking": "serial"},
            {"name": "Bench maintenance fee", "type": "service", "list_price": 90.0},
        ]
    )
    lots = env["stock.lot"].create(
        [
            {
                "name": f"BENCH-SEED-{i}",
                "product_id": machine.id,
                "aftersales_customer_id": customer.id,
            }
            for i in range(LOTS_PER_UNIT)
        ]
    )
    contract = env["aftersales.contract"].create(
        {
            "partner_id": customer.id,
            "date_start": time.strftime("%Y-%m-01"),
            "billing_period": "monthly",
            "billing_mode": "advance",
            "line_ids": [
                Command.create({"product_id": fee.id, "quantity": 1.0, "price_unit": 90.0})
            ]
            + [
                Command.create(
                    {
                        "equipment_product_id": machine.id,
                        "lot_id": lot.id,
                        "response_hours": 8.0,
                        "resolution_hours": 24.0,
                    }
                )
                for lot in lots
            ],
        }
    )
    contract.action_activate()
    tickets = env["aftersales.ticket"].create(
        [
            {
                "subject": f"Seed call {i}",
                "partner_id": customer.id,
                "lot_id": lots[i % LOTS_PER_UNIT].id,
                "team_id": teams[0].id,
                "channel": ("phone", "email", "portal", "web")[i % 4],
            }
            for i in range(TICKETS_PER_UNIT)
        ]
    )
    stages = teams[0].stage_ids.sorted()
    closing = stages.filtered("is_closing")[:1]
    working = (stages - closing)[1:2] or stages[:1]
    tickets[OPEN_PER_UNIT:].write({"stage_id": closing.id})
    tickets[1:OPEN_PER_UNIT].write({"stage_id": working.id})
    env.flush_all()
    assert all(tickets.mapped("contract_id")), "the seed tickets are covered by the contract"
    return customer, lots, contract, tickets


# ----------------------------------------------------------------------------------
# Copies, in set-based SQL
# ----------------------------------------------------------------------------------
class Cloner:
    """Copies the seed rows of each table ``copies`` times with computed ids."""

    def __init__(self, env):
        self.env = env
        self.cr = env.cr
        self.bases = {}  # table -> (base id, rows per copy)
        self.fks = {}  # table -> {column: target table}
        for model, table in CLONED.items():
            self.fks[table] = {
                name: CLONED[field.comodel_name]
                for name, field in env[model]._fields.items()
                if field.type == "many2one"
                and field.store
                and field.column_type
                and field.comodel_name in CLONED
            }

    def register(self, table, seed_ids):
        self.cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        base = self.cr.fetchone()[0] + 1000
        self.cr.execute(f"DROP TABLE IF EXISTS bm_rank_{table}")
        self.cr.execute(
            f"CREATE TEMP TABLE bm_rank_{table} AS"
            " SELECT id AS old_id, row_number() OVER (ORDER BY id) AS rk"
            f" FROM {table} WHERE id = ANY(%s)",
            [list(seed_ids)],
        )
        self.bases[table] = (base, len(seed_ids))

    def new_id(self, table, rank_sql):
        base, rows = self.bases[table]
        return f"({base} + (g - 1) * {rows} + {rank_sql})"

    def columns(self, table):
        self.cr.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = %s AND table_schema = 'public' AND column_name <> 'id'",
            [table],
        )
        return self.cr.fetchall()

    def copy(self, table, first, last, overrides=None, shift_dates=None):
        """Insert copies ``first``..``last`` of the seed rows of ``table``."""
        overrides = overrides or {}
        joins, exprs, names = [], [], []
        for column, data_type in self.columns(table):
            names.append(f'"{column}"')
            if column in overrides:
                exprs.append(overrides[column])
            elif column in self.fks[table] and self.fks[table][column] in self.bases:
                target = self.fks[table][column]
                alias = f"r_{column}"
                joins.append(f"LEFT JOIN bm_rank_{target} {alias} ON {alias}.old_id = s.{column}")
                exprs.append(
                    f"CASE WHEN {alias}.rk IS NULL THEN s.{column}"
                    f" ELSE {self.new_id(target, f'{alias}.rk')} END"
                )
            elif (
                shift_dates
                and data_type.startswith("timestamp")
                and column
                not in (
                    "create_date",
                    "write_date",
                )
            ):
                exprs.append(f"s.{column} + {shift_dates}")
            else:
                exprs.append(f"s.{column}")
        query = (
            f"INSERT INTO {table} (id, {', '.join(names)})"
            f" SELECT {self.new_id(table, 'rk.rk')}, {', '.join(exprs)}"
            f" FROM generate_series({first}, {last}) g"
            f" CROSS JOIN {table} s JOIN bm_rank_{table} rk ON rk.old_id = s.id "
            + " ".join(joins)
            + " ORDER BY g, rk.rk"
        )
        self.cr.execute(query)
        self.cr.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
        )


def copy_units(cloner, customer, lots, contract):
    cloner.register("res_partner", customer.ids)
    cloner.register("stock_lot", lots.ids)
    cloner.register("aftersales_contract", contract.ids)
    cloner.register("aftersales_contract_line", contract.line_ids.ids)
    number = "lpad(g::text, 5, '0')"
    cloner.copy(
        "res_partner",
        1,
        UNITS,
        {
            "name": f"'Bench customer ' || {number}",
            "complete_name": f"'Bench customer ' || {number}",
            "email": f"'customer' || {number} || '@bench.example'",
        },
    )
    lot_number = f"lpad(((g - 1) * {LOTS_PER_UNIT} + rk.rk)::text, 6, '0')"
    cloner.copy("stock_lot", 1, UNITS, {"name": f"'SN' || {lot_number}"})
    cloner.copy(
        "aftersales_contract",
        1,
        UNITS,
        # nothing due but the measured due sets
        {"name": f"'BC/' || {number}", "next_invoice_date": "DATE '2999-12-31'"},
    )
    cloner.copy("aftersales_contract_line", 1, UNITS)


def copy_tickets(cloner, tickets, teams, first_unit, last_unit):
    rows = len(tickets)
    seq = f"((g - 1) * {rows} + rk.rk)"
    team_ids = ",".join(str(t) for t in teams.ids)
    user_ids = ",".join(str(u) for team in teams for u in team.member_ids.sorted("id").ids)
    overrides = {
        "name": f"'BT' || lpad({seq}::text, 7, '0')",
        "access_token": f"md5({seq}::text)",
        "partner_email": "'customer' || lpad(g::text, 5, '0') || '@bench.example'",
        "team_id": f"(ARRAY[{team_ids}])[g % {len(teams)} + 1]",
        "user_id": f"(ARRAY[{user_ids}])[(g % {len(teams)}) * 2 + rk.rk % 2 + 1]",
        # the open copies are long past their deadlines: already marked
        "sla_status": "CASE WHEN s.is_closed THEN s.sla_status ELSE 'breached' END",
    }
    shift = f"({seq} - {MAX_TICKETS}) * interval '{STEP}'"
    if first_unit == 1:
        cloner.register("aftersales_ticket", tickets.ids)
    cloner.copy("aftersales_ticket", first_unit, last_unit, overrides, shift_dates=shift)
    # the older copies were closed since: the backlog stays the BACKLOG newest tickets
    closed = tickets[-1]
    cloner.cr.execute(
        "UPDATE aftersales_ticket SET stage_id = %s, is_closed = TRUE, sla_status = %s,"
        " date_closed = date_open + interval '1 day'"
        " WHERE name LIKE 'BT%%' AND is_closed IS NOT TRUE AND id < ("
        "  SELECT min(id) FROM (SELECT id FROM aftersales_ticket WHERE name LIKE 'BT%%'"
        "  AND is_closed IS NOT TRUE ORDER BY id DESC LIMIT %s) newest)",
        [closed.stage_id.id, closed.sla_status, BACKLOG],
    )


# ----------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------
def view_spec(env, view_type):
    """The fields a view reads: its field nodes, many2one read as display names."""
    from lxml import etree

    Ticket = env["aftersales.ticket"]
    arch = Ticket.get_views([(False, view_type)])["views"][view_type]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        name = node.get("name")
        if name not in Ticket._fields or any(p.tag == "field" for p in node.iterancestors()):
            continue
        field = Ticket._fields[name]
        spec[name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


def measurements(env, users, portal_user, unit_partner_ids, lots):
    """(label, user, callable) of every measured step."""
    open_domain = [("is_closed", "=", False)]
    list_spec = view_spec(env, "list")
    kanban_spec = view_spec(env, "kanban")
    progress = {
        "field": "sla_status",
        "colors": {"on_track": "success", "at_risk": "warning", "breached": "danger"},
    }

    def ticket_list(Ticket, domain):
        return Ticket.web_search_read(domain, list_spec, limit=80, count_limit=10001)

    def kanban(Ticket):
        Ticket.web_read_group(
            open_domain,
            ["stage_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=kanban_spec,
            unfold_read_default_limit=40,
        )
        Ticket.read_progress_bar(open_domain, "stage_id", progress)

    def serial(Ticket, lot_name):
        found = Ticket.env["stock.lot"].name_search(lot_name, limit=8)
        assert found, lot_name
        ticket_list(Ticket, [("lot_id", "ilike", lot_name)])

    def customer(Ticket, partner_id):
        name = Ticket.env["res.partner"].browse(partner_id).display_name
        assert Ticket.env["res.partner"].name_search(name, limit=8)
        ticket_list(Ticket, [("partner_id", "child_of", partner_id)])

    def portal(Ticket):
        Ticket.search_count([])
        Ticket.search([], order="date_open desc, id desc", limit=80).sudo().mapped("stage_id.name")

    def number(Ticket, text):
        ticket_list(Ticket, ["|", ("name", "ilike", text), ("subject", "ilike", text)])

    steps = []
    for role, user in users:
        steps.append((f"list 80 open, {role}", user, lambda T: ticket_list(T, open_domain)))
        steps.append((f"kanban first load, {role}", user, kanban))
        # the same list once the user removes the Open facet
        steps.append((f"list 80 all, {role}", user, lambda T: ticket_list(T, [])))
    manager = users[-1][1]
    steps.append(("ticket by number or subject", manager, lambda T: number(T, "BT0000123")))
    steps.append(("tickets of a serial", manager, lambda T: serial(T, lots[1])))
    steps.append(("tickets of a customer", manager, lambda T: customer(T, unit_partner_ids[1])))
    steps.append(("portal /my/tickets", portal_user, portal))
    return steps


class SlowQueries:
    """Collects the queries slower than ``ms`` run in its block (Odoo's query hooks)."""

    def __init__(self, ms):
        self.ms = ms
        self.found = []

    def hook(self, cr, query, params, start, delay):
        if delay * 1000 >= self.ms:
            self.found.append((delay * 1000, cr.mogrify(query, params).decode()))

    def __enter__(self):
        thread = threading.current_thread()
        thread.query_hooks = (*getattr(thread, "query_hooks", ()), self.hook)
        return self

    def __exit__(self, *exc):
        thread = threading.current_thread()
        thread.query_hooks = tuple(h for h in thread.query_hooks if h != self.hook)
        return False


def explain(env, label, slow):
    for ms, query in sorted(slow.found, reverse=True)[:6]:
        print(f"\n--- {label}: {ms:.1f} ms\n{query[:1500]}")
        if query.lstrip().upper().startswith(("SELECT", "WITH")):
            with env.cr.savepoint(flush=False):
                env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                print("\n".join(row[0] for row in env.cr.fetchall()))


def run_step(env, user, func):
    Ticket = env["aftersales.ticket"].with_user(user).with_context(lang="en_US", tz="Europe/Rome")
    func(Ticket)


def measure_size(env, steps, size, slow_ms):
    results = {}
    for label, user, func in steps:
        run_step(env, user, func)  # warm the caches, as a server is
        env.invalidate_all()
        for _run in range(REPEAT):  # the fastest of REPEAT runs: the machine is shared
            env.invalidate_all()
            with SlowQueries(slow_ms) as slow, Measure(env, label) as m:
                run_step(env, user, func)
            if label not in results or m.seconds < results[label].seconds:
                results[label] = m
        if slow_ms:
            explain(env, f"{label}, {size} tickets", slow)
    measure_crons(env, 10, 5)  # warm: the leaders' to-dos, the journal's sequence
    results.update(measure_crons(env))
    return results


def measure_crons(env, sla_due=SLA_DUE, invoice_due=INVOICE_DUE):
    cr = env.cr
    # the SLA cron: SLA_DUE open tickets, the newest, become late (on track, deadline past)
    cr.execute(
        "UPDATE aftersales_ticket SET sla_status = 'on_track' WHERE id IN ("
        " SELECT id FROM aftersales_ticket WHERE is_closed IS NOT TRUE AND sla_status = 'breached'"
        " AND sla_resolution_deadline < now() at time zone 'UTC' ORDER BY id DESC LIMIT %s)",
        [sla_due],
    )
    env.invalidate_all()
    save(env)
    Ticket = env["aftersales.ticket"]
    with Measure(env, f"SLA cron, {sla_due} late") as sla:
        Ticket._cron_sla_check()
    cr.execute(
        "SELECT count(*) FROM aftersales_ticket WHERE sla_status IN ('on_track', 'at_risk')"
        " AND is_closed IS NOT TRUE AND sla_resolution_deadline < now() at time zone 'UTC'"
    )
    assert cr.fetchone()[0] == 0, "the SLA cron left late tickets"
    # the invoicing cron: INVOICE_DUE contracts not invoiced yet become due
    cr.execute(
        "UPDATE aftersales_contract SET next_invoice_date = date_start WHERE id IN ("
        " SELECT id FROM aftersales_contract WHERE name LIKE 'BC/%%'"
        " AND next_invoice_date = DATE '2999-12-31' ORDER BY id LIMIT %s)",
        [invoice_due],
    )
    env.invalidate_all()
    save(env)
    Contract = env["aftersales.contract"]
    moves_before = env["account.move"].search_count([])
    with Measure(env, f"invoicing cron, {invoice_due} due") as invoicing:
        Contract._cron_create_invoices()
    made = env["account.move"].search_count([]) - moves_before
    assert made == invoice_due, f"{made} invoices for {invoice_due} due contracts"
    save(env)
    return {sla.label: sla, invoicing.label: invoicing}


def make_base(env):
    """Teams, the seed unit, its 20,000 copies and a portal user of copy 1."""
    t0 = time.perf_counter()
    _technicians, _manager, teams = make_users_and_teams(env)
    customer, lots, contract, tickets = make_seed_unit(env, teams)
    save(env)
    print(f"Seed unit through the ORM: {time.perf_counter() - t0:.1f} s", flush=True)
    cloner = Cloner(env)
    t0 = time.perf_counter()
    copy_units(cloner, customer, lots, contract)
    # the seed contract is not in the measured due sets
    env.cr.execute(
        "UPDATE aftersales_contract SET next_invoice_date = DATE '2999-12-31' WHERE id = %s",
        contract.ids,
    )
    env.cr.execute("ANALYZE")
    save(env)
    env.invalidate_all()
    print(
        f"{UNITS} customers and contracts, {UNITS * LOTS_PER_UNIT} serials in SQL:"
        f" {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    contact = env["res.partner"].create(
        {
            "name": "Bench portal contact",
            "parent_id": cloner.bases["res_partner"][0] + 1,  # the customer of copy 1
            "email": "p@bench.example",
        }
    )
    env["res.users"].create(
        {
            "name": "Bench portal contact",
            "login": "bench_portal",
            "partner_id": contact.id,
            "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    save(env)
    return cloner, tickets, teams


def bench_steps(env):
    Users = env["res.users"]
    users = [
        ("technician", Users.search([("login", "=", "bench_tech_0")])),
        ("manager", Users.search([("login", "=", "bench_manager")])),
    ]
    portal_user = Users.search([("login", "=", "bench_portal")])
    partner_ids = (
        env["res.partner"]
        .search([("name", "in", ["Bench customer 00001", "Bench customer 00002"])], order="id")
        .ids
    )
    lot_names = ["SN000003", f"SN{LOTS_PER_UNIT + 3:06d}"]  # of copies 1 and 2
    return measurements(env, users, portal_user, partner_ids, lot_names)


def main():
    args = parse_args()
    with odoo_env(args) as env:
        if args.measure_only:
            env.cr.execute("SELECT count(*) FROM aftersales_ticket")
            size = env.cr.fetchone()[0]
            steps = bench_steps(env)
            measure_size(env, steps, size, 0)  # warm
            figures = {size: measure_size(env, steps, size, args.explain_ms)}
            save(env)
            report([size], figures)
            return
        cloner, tickets, teams = make_base(env)
        steps = bench_steps(env)
        figures = {}
        done_units = 0
        for size in args.sizes:
            units = size // TICKETS_PER_UNIT
            t0 = time.perf_counter()
            copy_tickets(cloner, tickets, teams, done_units + 1, units)
            env.cr.execute("ANALYZE aftersales_ticket")
            save(env)
            env.invalidate_all()
            done_units = units
            env.cr.execute("SELECT count(*) FROM aftersales_ticket")
            total = env.cr.fetchone()[0]
            print(f"Tickets up to {total} in SQL: {time.perf_counter() - t0:.1f} s", flush=True)
            if not figures:
                # a first round unrecorded, as a server that has run for a while: the
                # first invoicing run after the steps reads 2 rows that later runs have
                measure_size(env, steps, size, 0)
            figures[size] = measure_size(env, steps, size, args.explain_ms)
            save(env)
        if not report(args.sizes, figures):
            sys.exit(1)


def report(sizes, figures):
    first, last = sizes[0], sizes[-1]
    labels = list(figures[first])
    print()
    print(f"{'step':<32} {first:>9} tickets      {last:>9} tickets      time ratio")
    worst = 0.0
    for label in labels:
        a, b = figures[first][label], figures[last][label]
        ratio = b.seconds / a.seconds if a.seconds else 0.0
        worst = max(worst, ratio)
        print(
            f"{label:<32} {a.seconds * 1000:8.0f} ms {a.queries:4d} q"
            f"   {b.seconds * 1000:8.0f} ms {b.queries:4d} q   {ratio:5.2f}x"
        )
    print(f"worst time ratio: {worst:.2f}x (goal: at most 2x; times are noisy on a shared machine)")
    changed = [
        label
        for label in labels
        if abs(figures[first][label].queries - figures[last][label].queries)
        > (NOISY_QUERIES if label.startswith("invoicing") else 0)
    ]
    if changed:
        print(f"ERROR: the query count changed with the size: {', '.join(changed)}")
    return not changed


if __name__ == "__main__":
    main()
