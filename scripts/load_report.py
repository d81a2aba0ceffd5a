"""make load, step 3: the figures of a Locust run, per route, and the goals.

Reads Locust's <prefix>_stats.csv and prints requests per second, p50, p95 and p99
latency per route and the error count; exits non-zero when a goal is missed:
0 errors, portal pages at p95 <= 300 ms, ticket creation at p95 <= 500 ms.
"""

import csv
import sys

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
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
