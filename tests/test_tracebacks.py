"""The suite's own plugin (tests/tracebacks.py): a failure pytest cannot draw still names its
test, and the run goes on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAILING = '''
def _without_line_numbers(func):
    """Every instruction of ``func`` without a location, as CPython 3.11 leaves some."""
    code = func.__code__
    units, table = len(code.co_code) // 2, bytearray()
    while units:
        step = min(units, 8)
        table.append(0x80 | (15 << 3) | (step - 1))  # 15: "no location"
        units -= step
    func.__code__ = code.replace(co_linetable=bytes(table))
    return func


@_without_line_numbers
def stopped_between_lines():
    raise TimeoutError("stopped on an instruction without a line number")


def test_stopped():
    stopped_between_lines()


def test_after_it():
    pass
'''


def run(tmp_path: Path, *plugins: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_stopped.py").write_text(FAILING)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    options = [arg for plugin in plugins for arg in ("-p", plugin)]
    return subprocess.run(  # noqa: S603 - our own interpreter on our own file
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider"]
        + options
        + ["-q", str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_pytest_alone_cannot_report_such_a_failure(tmp_path: Path) -> None:
    """Why the plugin exists: if this starts passing, pytest has fixed it upstream."""
    result = run(tmp_path)
    assert result.returncode == 3, result.stdout  # INTERNALERROR
    assert "test_stopped" not in result.stdout.split("INTERNALERROR")[0]


def test_a_failure_pytest_cannot_draw_is_reported_by_name(tmp_path: Path) -> None:
    result = run(tmp_path, "tests.tracebacks")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "INTERNALERROR" not in result.stdout
    assert "FAILED test_stopped.py::test_stopped - TimeoutError" in result.stdout
    assert (
        "TimeoutError: stopped on an instruction without a line number" in result.stdout
    )
    assert "1 failed, 1 passed" in result.stdout
