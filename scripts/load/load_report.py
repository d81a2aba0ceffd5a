"""make load, step 3: the figures of a Locust run, per route, and the goals.

Reads every request of the run (<prefix>_requests.csv, written by the locustfile: start,
route, latency, failed) and prints, per route, the requests, errors, requests per
second and the p50, p95 and p99 latencies (nearest rank), twice:

- the whole run, from the first login;
- the measured window: the requests started after the warm-up (``--warm-up`` seconds,
  30 by default), while all the users are logged in.

The run begins with the logins, each checking a password hashed with 600,000 PBKDF2
rounds (about 0.3 s of CPU), while each worker compiles the pages' templates at their
first rendering. The goals, and the script exits non-zero when one is missed:

- 0 failed requests over the whole run, logins included, and no exception in a Locust
  user (<prefix>_exceptions.csv);
- the login form and the login itself at p95 <= 3 s, over the whole run (that is where
  they are);
- portal pages at p95 <= 300 ms and ticket creation at p95 <= 500 ms, judged on the
  measured window, as load tests measure a steady state after their ramp-up.

Without the request log (an older Locust run), Locust's own <prefix>_stats.csv gives the
whole run's figures and every goal is judged on them.
"""

import argparse
import csv
import math
import os
import sys
from collections import defaultdict

PORTAL_PAGES = ("/my/tickets", "/my/contracts", "/my/tickets/<id>", "/my/tickets/new")
TICKET_CREATION = "/my/tickets/new [POST]"
LOGIN = ("/web/login", "/web/login [POST]")
HEADER = (
    f"{'route':<32} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
)
GOALS = (
    "goals: 0 errors and logins p95 <= 3000 ms over the whole run; portal pages p95 <= 300 ms"
    " and ticket creation p95 <= 500 ms over the measured requests"
)


def percentile(values, share):
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def figures(rows):
    """{route: (requests, errors, req/s, p50, p95, p99)} of ``rows``, with "Aggregated"."""
    if not rows:
        return {}
    span = max(start for start, *_ in rows) - min(start for start, *_ in rows) or 1.0
    by_name = defaultdict(list)
    for _start, name, ms, failed in rows:
        by_name[name].append((ms, failed))
        by_name["Aggregated"].append((ms, failed))
    result = {}
    for name, entries in by_name.items():
        times = sorted(ms for ms, _failed in entries)
        result[name] = (
            len(times),
            sum(failed for _ms, failed in entries),
            len(times) / span,
            *(percentile(times, share) for share in (0.5, 0.95, 0.99)),
        )
    return result


def stats_csv_figures(path):
    """The same figures from Locust's own summary (whole run only)."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["Name"]: (
            int(row["Request Count"]),
            int(row["Failure Count"]),
            float(row["Requests/s"]),
            *(float(row[key] or 0) for key in ("50%", "95%", "99%")),
        )
        for row in rows
    }


def print_table(title, table):
    print(title)
    print(HEADER)
    for name in sorted(table, key=lambda n: (n == "Aggregated", n)):
        count, errors, rate, p50, p95, p99 = table[name]
        print(f"{name:<32} {count:>8} {errors:>6} {rate:7.2f} {p50:6.0f} {p95:6.0f} {p99:6.0f}")


def missed_login_goals(table):
    return [
        f"{name}: p95 {table[name][4]:.0f} ms > 3000 ms"
        for name in LOGIN
        if name in table and table[name][4] > 3000
    ]


def exceptions(prefix):
    """The exceptions raised in Locust users (a task that broke, not a failed request)."""
    path = f"{prefix}_exceptions.csv"
    if not os.path.exists(path):
        return 0
    with open(path, newline="") as handle:
        return sum(int(row["Count"]) for row in csv.DictReader(handle))


def missed_goals(table):
    missed = []
    for name, (_count, _errors, _rate, _p50, p95, _p99) in sorted(table.items()):
        if name in PORTAL_PAGES and p95 > 300:
            missed.append(f"{name}: p95 {p95:.0f} ms > 300 ms")
        if name == TICKET_CREATION and p95 > 500:
            missed.append(f"{name}: p95 {p95:.0f} ms > 500 ms")
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", help="the --csv prefix of the Locust run")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds not measured")
    args = parser.parse_args()
    log = f"{args.prefix}_requests.csv"
    if os.path.exists(log):
        with open(log, newline="") as handle:
            rows = [
                (float(start), name, float(ms), failed == "True")
                for start, name, ms, failed in csv.reader(handle)
            ]
        first = min((start for start, *_ in rows), default=0.0)
        whole = figures(rows)
        measured = figures([row for row in rows if row[0] >= first + args.warm_up])
        print_table("whole run, logins and warm-up included:", whole)
        print()
        print_table(
            f"measured: the requests started after the first {args.warm_up:.0f} s:", measured
        )
    else:
        whole = measured = stats_csv_figures(f"{args.prefix}_stats.csv")
        print_table("whole run:", whole)
    errors = whole.get("Aggregated", (0, 0))[1]
    missed = missed_goals(measured) + missed_login_goals(whole)
    if not whole.get("Aggregated", (0,))[0]:
        missed.append("no request was made (see the Locust log)")
    if errors:
        missed.append(f"{errors} failed requests over the whole run")
    broken = exceptions(args.prefix)
    if broken:
        missed.append(f"{broken} exceptions in Locust users ({args.prefix}_exceptions.csv)")
    print(f"latencies in ms; {GOALS}")
    for line in missed_goals(whole) if measured is not whole else ():
        print("whole run, for the record:", line)
    for line in missed:
        print("MISSED:", line)
    print("all goals met" if not missed else f"{len(missed)} goal(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
