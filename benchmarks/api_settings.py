"""Settings of the gunicorn server that ``benchmarks/api.py`` starts: the public-site
benchmark's (the project's own, local-memory cache) with a URLconf that adds the keyed
hello-world view, and partner quotas too high to reach. Used by that benchmark only."""

from benchmarks.site_settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.api_urls"
# Quotas counted as in production, never reached.
PARTNER_TIERS = {
    tier: {"minute": 10**9, "day": 10**12} for tier in ("trial", "standard", "premium")
}
PARTNER_FEED_SETTLE_SECONDS = 0
