"""The chaos run in its short form (benchmarks/chaos.py --short): a worker killed mid-fetch and
mid-enrichment, Redis killed, PostgreSQL restarted, two beats — on a PostgreSQL and a Redis
of the run's own — and nothing lost, duplicated, stuck or fetched twice at once.

Needs PostgreSQL's initdb and redis-server on the machine: CI runs it; locally it skips
without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import services_required

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.worker, pytest.mark.timeout(900)]


def test_the_short_chaos_run_loses_duplicates_and_strands_nothing(
    tmp_path: Path,
) -> None:
    binaries = shutil.which("redis-server") and (
        shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    )
    if not binaries:
        if services_required():
            pytest.fail(
                "the chaos run needs redis-server and PostgreSQL's initdb in CI"
            )
        pytest.skip("the chaos run needs redis-server and PostgreSQL's initdb")
    out = tmp_path / "chaos.json"

    run = subprocess.run(
        [sys.executable, "benchmarks/chaos.py", "--short", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["stored"] == report["expected"] > 0
    assert report["duplicates"] == 0
    assert report["stuck"] == 0, report["stuck_states"]
    assert report["concurrent_fetches"] == 0
    assert len(report["faults"]) == 5
