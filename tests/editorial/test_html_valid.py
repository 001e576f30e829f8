"""The desk's pages are valid HTML by the Nu HTML checker (tests/nu.py runs it): the queue
with each kind of story open, the merge page and the dashboard. htmx's attributes are
written ``data-hx-*``, which HTML allows (``hx-*`` it does not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from editorial import services
from tests.nu import saved_pages, vnu_command, vnu_errors

from .factories import S, chief, newer_proposal_held, reported, story


@pytest.mark.django_db
def test_the_desk_pages_are_valid_html(client: Client, tmp_path: Path) -> None:
    vnu = vnu_command()
    boss = chief("boss")
    lead = story(title="Helios buys Lumen", importance=8)
    reported(lead, title="Chip giant snaps up optics maker")
    edited = story(title="Rail strike called off")
    services.article_edit(
        article=edited, editor=boss, version=1, changes={"summary": "Desk's words."}
    )
    newer_proposal_held(edited, summary="The AI's newer words.")
    published = story(S.PUBLISHED, title="Port reopens after storm")
    taken_down = story(S.PUBLISHED, title="Mayor resigns")
    services.article_unpublish(article=taken_down, editor=boss, reason="Legal hold")
    client.force_login(boss)
    queue = reverse("editorial:queue")
    pages = {
        "queue-lead-with-a-report": f"{queue}?open={lead.pk}",
        "queue-newer-proposal-held": f"{queue}?open={edited.pk}",
        "queue-published": f"{queue}?status=published&open={published.pk}",
        "queue-taken-down": f"{queue}?status=approved&open={taken_down.pk}",
        "merge": reverse("editorial:merge_picker", args=[lead.pk]),
        "dashboard": reverse("editorial:dashboard"),
    }
    files = saved_pages(client, pages, tmp_path)
    html = [f.read_text(encoding="utf-8") for f in files]
    # Each page carries what it is there to check.
    assert "Chip giant snaps up optics maker" in html[0]
    assert "Newer AI proposal" in html[1]
    assert "takedown-form" in html[2]
    assert "by boss: Legal hold" in html[3]

    errors = vnu_errors(vnu, files)
    assert not errors, "The Nu HTML checker found errors:\n" + "\n".join(errors)
