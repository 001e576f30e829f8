"""The Nu HTML checker (vnu, the W3C's validator) for the tests that check pages' HTML.

vnu comes from npm (package.json's vnu-jar, installed by ``make test``) and runs on the
machine's Java, once for all the pages a test gives it. Without Java or the package a local
run skips; CI fails instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import services_required

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``; skip locally (fail in CI) when either is missing."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java is not installed (apt-get install default-jre-headless)")
    if not VNU.is_file():
        missing.append(f"{VNU.relative_to(ROOT)} is missing (make test-tools)")
    if missing:
        message = "; ".join(missing)
        if services_required():
            pytest.fail(f"CI needs the Nu HTML checker: {message}", pytrace=False)
        pytest.skip(message)
    assert java is not None
    return [java, "-jar", str(VNU)]


def vnu_errors(vnu: list[str], files: list[Path]) -> list[str]:
    """The checker's errors in ``files``, one readable line each (file:line:column)."""
    run = subprocess.run(
        [
            *vnu,
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no report (exit {run.returncode}):\n{run.stderr}")
    errors = []
    for message in messages:
        name = Path(message.get("url", "")).name
        where = (
            f"{name}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        )
        extract = " ".join(message.get("extract", "").split())
        errors.append(f"{where}: {message['message']}\n    {extract}")
    if run.returncode != 0 and not errors:
        pytest.fail(f"vnu failed (exit {run.returncode}):\n{run.stderr}")
    return errors


def saved_pages(client: Any, pages: dict[str, str], folder: Path) -> list[Path]:
    """GET each of ``pages`` (name: URL) with ``client``, each a 200, saved to ``folder``
    as NAME.html for the checker: the files, in the order given."""
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        files.append(folder / f"{name}.html")
        files[-1].write_bytes(response.content)
    return files
