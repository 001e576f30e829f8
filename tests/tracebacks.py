"""A failing test is always reported by name, even when pytest cannot draw its traceback.

CPython 3.11 can leave a traceback entry without a line number (``tb_lineno`` is None: the
frame was stopped on an instruction the compiler gave no location, as a signal such as
pytest-timeout's may do). pytest 9.2 cannot draw such an entry: its report of the failure
raises, the whole run ends in an INTERNALERROR and never says which test failed (CI, stop 21:
1,593 passed, then the traceback of pytest itself). Here the test is reported failed with
Python's own traceback instead, and the run goes on.
"""

from __future__ import annotations

import traceback
from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    try:
        return (yield)
    except Exception as error:
        if call.excinfo is None or call.when == "collect":
            raise
        failure = call.excinfo.value
        text = "".join(traceback.format_exception(failure))
        return pytest.TestReport(
            item.nodeid,
            item.location,
            dict.fromkeys(item.keywords, 1),
            "failed",
            f"{type(failure).__name__}: {failure}\n"
            f"(pytest could not draw the traceback, {error!r}; Python's own:)\n\n{text}",
            call.when,
            [
                (f"Captured {key} {when}", content)
                for when, key, content in item._report_sections
            ],
            call.duration,
            call.start,
            call.stop,
            item.user_properties,
        )
