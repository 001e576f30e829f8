"""Settings of the gunicorn server that ``benchmarks/site.py`` starts: the project's own,
with a URLconf that adds the hello-world view the benchmark compares the pages with. Used by
that benchmark only; the project's URLs are unchanged."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.site_urls"

# Without REDIS_URL the project keeps its cache in files under var/ (shared with a running
# `make run`); the benchmark measures local memory per worker instead, and never touches var/.
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
