"""The reader pages are valid HTML by the Nu HTML checker (vnu, the W3C's validator;
tests/nu.py runs it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.nu import ROOT, saved_pages, vnu_command, vnu_errors

from .browser import AXE
from .sample import newsroom


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
    files = saved_pages(client, pages, tmp_path)
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
