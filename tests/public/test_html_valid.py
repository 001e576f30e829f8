"""The reader pages are valid HTML by the Nu HTML checker (vnu, the W3C's validator).

vnu comes from npm (package.json's vnu-jar, installed by ``make test``) and runs on the
machine's Java, once for all the pages. Without Java or the package a local run skips; CI
fails instead.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import services_required

from .browser import AXE
from .sample import newsroom

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.django_db
def test_the_reader_pages_are_valid_html(client: Client, tmp_path: Path) -> None:
    vnu = vnu_command()
    sample = newsroom(filler=25)  # enough for a "load more" link
    lead = sample.lead
    assert lead.category is not None
    pages = {
        "front": reverse("public:front"),
        "top": reverse("public:top") + "?window=30d",
        "story": lead.get_absolute_url(),
        "story-long-words": sample.long_words.get_absolute_url(),
        "company": reverse("public:company", args=[sample.company.slug]),
        "category": reverse("public:category", args=[lead.category.slug]),
        "source": reverse("public:source", args=[lead.source.slug]),
        "search": reverse("public:search") + "?q=Helios",
        "search-nothing-found": reverse("public:search") + "?q=zeppelin",
        "search-empty": reverse("public:search"),
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    # The pages carry what they can: a "load more" link, related stories.
    assert "Load more stories" in files[0].read_text(encoding="utf-8")
    assert "Related stories" in files[2].read_text(encoding="utf-8")

    errors = vnu_errors(vnu, files)
    assert not errors, "The Nu HTML checker found errors:\n" + "\n".join(errors)


def test_the_vendored_axe_core_is_the_one_package_json_locks() -> None:
    """tests/public/vendor/axe.min.js is a copy; updating axe-core in package.json means
    copying the new node_modules/axe-core/axe.min.js there (license header included)."""
    locked = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    header = AXE.read_text(encoding="utf-8")[:400]
    found = re.match(r"/\*! axe v(\S+)", header)
    assert found is not None, "the vendored axe.min.js lost its license header"
    assert found.group(1) == locked["axe-core"]
    assert "Mozilla Public" in header  # MPL 2.0: the notice must stay with the file
