"""Shared plumbing of the `make bench` scripts: an Odoo environment and measurements.

Each measurement reports wall time, the peak resident memory reached during the step
(the kernel's high-water mark, reset before the step) and the number of SQL queries.
"""

import argparse
import contextlib
import time


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--n", type=int, default=1000)
    return parser.parse_args()


@contextlib.contextmanager
def odoo_env(args):
    """An environment as superuser on a fresh cursor; the caller commits or not."""
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        # the data a benchmark sets up is created without chatter tracking; what it
        # measures runs with the context it would have in production


def save(env):
    """Commit what a benchmark set up, so that the next measured step and the crons it
    runs (they take cursors of their own) find it. A benchmark script owns its
    transaction, like Odoo's own shell; module code never commits by hand (its crons
    go through ``ir.cron._commit_progress``)."""
    env.cr.commit()


def _peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss():
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


class Measure:
    """with Measure(env, "label") as m: ...; then m.seconds, m.queries, m.peak_mib."""

    def __init__(self, env, label):
        self.env = env
        self.label = label

    def __enter__(self):
        self.env.flush_all()
        _reset_peak_rss()
        self.queries0 = self.env.cr.sql_log_count
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.env.flush_all()
        self.seconds = time.perf_counter() - self.t0
        self.queries = self.env.cr.sql_log_count - self.queries0
        self.peak_mib = _peak_rss_kib() / 1024.0
        return False

    def line(self, n):
        return (
            f"{self.label:<34} {self.seconds:8.2f} s  {self.peak_mib:8.1f} MiB peak  "
            f"{self.queries:8d} queries  {self.queries / n:6.2f} per item"
        )
