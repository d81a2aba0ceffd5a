"""make load, step 3: the figures of a Locust run, per route, and the goals.

Reads Locust's <prefix>_stats.csv and prints requests per second, p50, p95 and p99
latency per route and the error count; exits non-zero when a goal is missed:
0 errors, portal pages at p95 <= 300 ms, ticket creation at p95 <= 500 ms. The goals
are judged on the whole run.

With <prefix>_requests.csv (every request, written by the locustfile), it also prints
the same figures for the requests started after the first 30 s: the run begins with
60 logins in 6 s, each checking a password hashed with 600,000 PBKDF2 rounds (about
0.3 s of CPU), which holds the 2 cores for several seconds.
"""

import csv
import math
import os
import sys
from collections import defaultdict

WARM_UP = 30.0

PORTAL_PAGES = ("/my/tickets", "/my/contracts", "/my/tickets/<id>", "/my/tickets/new")
TICKET_CREATION = "/my/tickets/new [POST]"


def main(prefix):
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(
        f"{'route':<32} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    )
    missed = []
    for row in rows:
        name = row["Name"]
        p95 = float(row["95%"] or 0)
        print(
            f"{name:<32} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):7.2f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
        if name in PORTAL_PAGES and p95 > 300:
            missed.append(f"{name}: p95 {p95:.0f} ms > 300 ms")
        if name == TICKET_CREATION and p95 > 500:
            missed.append(f"{name}: p95 {p95:.0f} ms > 500 ms")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    if int(total["Failure Count"]):
        missed.append(f"{total['Failure Count']} errors")
    print("latencies in ms; goals: 0 errors, portal p95 <= 300 ms, ticket creation p95 <= 500 ms")
    for line in missed:
        print("MISSED:", line)
    print("all goals met" if not missed else f"{len(missed)} goal(s) missed")
    steady(f"{prefix}_requests.csv")
    return 1 if missed else 0


def percentile(values, share):
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def steady(path):
    if not os.path.exists(path):
        return
    with open(path, newline="") as handle:
        rows = [
            (float(start), name, float(ms), failed == "True")
            for start, name, ms, failed in csv.reader(handle)
        ]
    if not rows:
        return
    first = min(start for start, *_ in rows)
    late = [row for row in rows if row[0] >= first + WARM_UP]
    if not late:
        return
    span = max(start for start, *_ in late) - (first + WARM_UP) or 1.0
    by_name = defaultdict(list)
    for _start, name, ms, failed in late:
        by_name[name].append((ms, failed))
    print(f"\nafter the first {WARM_UP:.0f} s ({len(late)} requests):")
    print(
        f"{'route':<32} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    )
    for name in sorted(by_name) + ["Aggregated"]:
        entries = (
            [entry for entries in by_name.values() for entry in entries]
            if name == "Aggregated"
            else by_name[name]
        )
        times = sorted(ms for ms, _failed in entries)
        errors = sum(failed for _ms, failed in entries)
        p50, p95, p99 = (percentile(times, share) for share in (0.5, 0.95, 0.99))
        print(
            f"{name:<32} {len(times):>8} {errors:>6} {len(times) / span:7.2f} "
            f"{p50:6.0f} {p95:6.0f} {p99:6.0f}"
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
