"""pytest plugin for `make test` (-p pytest_no_skip): a skipped test fails the run.

Odoo skips browser tests silently when Chromium or websocket-client is missing,
and pytest-odoo skips HttpCase without --odoo-http; neither may pass unnoticed.
"""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"{skipped} test(s) skipped: a skip fails `make test`.", red=True)
        session.exitstatus = 1
