"""The README's "Production shape", run as written: its .env, its release commands (migrate,
collectstatic, check --deploy), then every Procfile process under honcho, until /readyz says
ready. Only the addresses change: a database and a Redis database of the test's own, a free
port, a static folder in a temporary directory, and the two change-me secrets.

Needs PostgreSQL and Redis: CI runs it; locally it skips without them.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import postgres_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "newsroom_production_recipe"
REDIS_DB = 8  # the recipe's own: nothing else in the suite uses it

# Migrations, collectstatic and every process started from scratch: 73 s in CI on a two-core
# machine (2026-12-02), too near the suite's 120 s for a loaded one.
pytestmark = [pytest.mark.worker, pytest.mark.timeout(600)]


def recipe() -> str:
    """The shell block of the README's "Production shape" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production shape", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the README's Production shape has no ```sh block"
    return block.group(1)


def dot_env(block: str) -> dict[str, str]:
    body = block.split("cat > .env <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    return dict(line.split("=", 1) for line in body.splitlines() if line.strip())


def step(block: str, number: int) -> list[str]:
    """The command lines of step ``number`` ("# 3. Release ...")."""
    part = block.split(f"# {number}. ", 1)[1].split("\n# ", 1)[0]
    return [line for line in part.splitlines()[1:] if line.strip()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def services(redis_url: str) -> Iterator[tuple[str, str]]:
    import psycopg
    import redis

    server = postgres_server("the production recipe")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    broker = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    try:
        yield f"{server}/{DATABASE}", broker
    finally:
        redis.Redis.from_url(broker).flushdb()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def test_the_readmes_production_recipe_runs_and_becomes_ready(
    services: tuple[str, str], tmp_path: Path
) -> None:
    database_url, redis_url = services
    block = recipe()
    port = free_port()
    settings = {
        **dot_env(block),
        # The two change-me values, replaced as the README says.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "METRICS_TOKEN": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_BIND": f"127.0.0.1:{port}",
    }
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "SECRET_", "NEWSROOM_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "CI")
    }
    env.update(settings, PATH=f"{BIN}{os.pathsep}{env['PATH']}")
    (ROOT / "var").mkdir(exist_ok=True)

    # 3. Release: each line as written, with this virtualenv's python.
    for line in step(block, 3):
        done = subprocess.run(
            shlex.split(line), cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        if "check --deploy" in line:
            assert "no issues" in done.stdout

    # 4. Run: the line as written, reading our .env instead of the project's.
    (run,) = step(block, 4)
    command = [*shlex.split(run)[:2], "-e", str(env_file), *shlex.split(run)[2:]]
    log = tmp_path / "honcho.log"
    processes = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),  # not a pipe: nobody reads it while it runs
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # 5. Check: the curl line's request, until ready.
        (check,) = step(block, 5)
        words = shlex.split(check)
        headers = dict(
            words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H"
        )
        url = words[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        answer = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, headers=headers), timeout=5
                ) as response:
                    answer = response.read().decode()
                    if response.status == 200:
                        break
            except urllib.error.HTTPError as exc:
                answer = exc.read().decode()
            except OSError as exc:
                answer = repr(exc)
            assert processes.poll() is None, log.read_text()[-3000:]
            time.sleep(2)
        else:
            pytest.fail(
                f"/readyz never said ready: {answer}\n{log.read_text()[-3000:]}"
            )
        assert '"status": "ready"' in answer
    finally:
        os.killpg(processes.pid, signal.SIGTERM)
        try:
            processes.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(processes.pid, signal.SIGKILL)
            processes.wait()
