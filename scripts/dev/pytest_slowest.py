"""pytest plugin for `make test` (-p pytest_slowest): the 20 slowest tests and test classes.

pytest's own ``--durations`` reads a clock that the tests' ``freeze_time`` freezes, and
prints nonsense. freezegun replaces the time functions it finds as module attributes; the
clock here is kept in a dictionary, out of its reach. A test's time is its setup, call and
teardown; a class's is the sum of its tests, its ``setUpClass`` included (it runs in the
setup of the class's first test).
"""

import time
from collections import defaultdict

import pytest

_CLOCK = {"now": time.perf_counter}
_TIMES = {}

SHOWN = 20


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = _CLOCK["now"]()
    yield
    _TIMES[item.nodeid] = _CLOCK["now"]() - start


def pytest_terminal_summary(terminalreporter):
    if not _TIMES:
        return
    by_class = defaultdict(float)
    for nodeid, seconds in _TIMES.items():
        by_class[nodeid.rsplit("::", 1)[0]] += seconds
    write = terminalreporter.write_line
    terminalreporter.section(f"the {SHOWN} slowest tests (setup + call + teardown)")
    for nodeid, seconds in sorted(_TIMES.items(), key=lambda item: -item[1])[:SHOWN]:
        write(f"{seconds:8.1f} s  {nodeid.split('/tests/', 1)[-1]}")
    terminalreporter.section(f"the {SHOWN} slowest test classes (setUpClass included)")
    for name, seconds in sorted(by_class.items(), key=lambda item: -item[1])[:SHOWN]:
        write(f"{seconds:8.1f} s  {name.split('/tests/', 1)[-1]}")
    write(f"{sum(_TIMES.values()):8.1f} s  in all, {len(_TIMES)} tests")
