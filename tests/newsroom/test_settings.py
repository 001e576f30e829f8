"""Deployment switches read from the environment (settings are environment only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env: str) -> dict[str, str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from newsroom.celery import app; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, app.conf.task_reject_on_worker_lost)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    keys = ["hsts", "subdomains", "preload", "reject_on_worker_lost"]
    return dict(zip(keys, out[-4:], strict=True))


def test_hsts_subdomains_and_preload_come_from_the_environment() -> None:
    assert _settings(SECURE_HSTS_SECONDS="0")["subdomains"] == "False"
    on = _settings(
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert (on["hsts"], on["subdomains"], on["preload"]) == ("31536000", "True", "True")


def test_a_task_whose_worker_dies_goes_back_to_the_queue() -> None:
    assert _settings()["reject_on_worker_lost"] == "True"


def test_starting_django_does_not_import_the_anthropic_sdk() -> None:
    """Issue 11: every process start paid about a second for the SDK, even offline
    (manage.py check: 1.9 s before, 0.9 s after on this machine)."""
    code = (
        "import sys, django; django.setup(); "
        "import editorial.services, enrichment.services, public.views, partners.views; "
        "print('anthropic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[-1] == "False"


PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "news.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def _run(code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """``python code`` in a fresh process with only ``env``'s SECRET_KEY, if any."""
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_a_web_process_with_debug_off_refuses_to_start_without_secret_key() -> None:
    started = _run(["-c", "import newsroom.wsgi"], **PRODUCTION)

    assert started.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in started.stderr
    # ASGI too; and with the key it starts.
    assert _run(["-c", "import newsroom.asgi"], **PRODUCTION).returncode != 0
    assert (
        _run(
            ["-c", "import newsroom.wsgi"],
            **PRODUCTION,
            SECRET_KEY="Kq2-vN8xR4tY7pL0mZ3wB6cJ9fH1dS5gA" * 2,
        ).returncode
        == 0
    )


def test_a_placeholder_or_short_key_is_refused_too() -> None:
    """An attack: the README's placeholder key (public) and " " started production."""
    for weak in (
        "change-me-to-50-random-characters-python-c-import-secrets-token",
        "a" * 60,
        # Found by a second attack: long, but guessable.
        "0123456789" * 4,
        "CHANGE_ME_TO_50_RANDOM_CHARACTERS_PYTHON_C_IMPORT_SECRETS",
        "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789",
    ):
        started = _run(["-c", "import newsroom.wsgi"], **PRODUCTION, SECRET_KEY=weak)
        assert started.returncode != 0
        assert "SECRET_KEY is too weak" in started.stderr
    checked = _run(["manage.py", "check", "--deploy"], **PRODUCTION, SECRET_KEY="short")
    assert "newsroom.E002" in checked.stderr


def test_the_development_server_keeps_its_generated_key() -> None:
    assert _run(["-c", "import newsroom.wsgi"], DEBUG="1").returncode == 0


def test_check_deploy_is_clean_with_the_readmes_production_settings() -> None:
    """README, Production shape: these variables and nothing else."""
    checked = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECRET_KEY="Kq2-vN8xR4tY7pL0mZ3wB6cJ9fH1dS5gA" * 2,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "no issues" in checked.stdout

    without_key = _run(["manage.py", "check", "--deploy"], **PRODUCTION)
    assert without_key.returncode != 0
    assert "newsroom.E001" in without_key.stderr


def test_a_feed_lease_shorter_than_the_fetch_is_refused_at_check() -> None:
    """An attack: FEED_LEASE_SECONDS=40 let a fetch still running be recorded as lost and
    fetched a second time at once."""
    checked = _run(["manage.py", "check"], FEED_LEASE_SECONDS="40")
    assert checked.returncode != 0
    assert "newsroom.E004" in checked.stderr


def test_a_weak_metrics_token_stops_the_web_process_too() -> None:
    started = _run(
        ["-c", "import newsroom.wsgi"],
        **PRODUCTION,
        SECRET_KEY="Kq2-vN8xR4tY7pL0mZ3wB6cJ9fH1dS5gA" * 2,
        METRICS_TOKEN="change-me-too",
    )
    assert started.returncode != 0
    assert "METRICS_TOKEN is too weak" in started.stderr


def test_a_worker_with_debug_off_refuses_to_start_without_secret_key(
    tmp_path: Path,
) -> None:
    worker = _run(
        [
            "-m",
            "celery",
            "-A",
            "newsroom",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        **PRODUCTION,
    )
    assert worker.returncode == 1
    assert "newsroom: SECRET_KEY is not set" in worker.stderr + worker.stdout
    beat = _run(
        ["-m", "celery", "-A", "newsroom", "beat", f"--schedule={tmp_path / 'beat'}"],
        **PRODUCTION,
    )
    assert beat.returncode == 1
