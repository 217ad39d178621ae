"""A pytest plugin `python3 dev.py test` loads unless given --browser: the browser
tests are skipped, and the run ends with one line saying how many and how to run them."""
from __future__ import annotations

import pytest

REASON = "browser tests run with `python3 dev.py test --browser`"


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason=REASON)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    # the reports of a parallel run come from its workers, each with the skip's reason
    skipped = sum(REASON in str(report.longrepr) for report in terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.write_line(f"{skipped} browser tests skipped: `python3 dev.py test --browser` runs them "
                                    "(and installs Debian's chromium when run as root)")
