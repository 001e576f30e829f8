"""Newsroom settings: one module, configured only from the environment.

With nothing set this is the embedded default: SQLite, eager Celery tasks, the offline
enricher and a generated development secret. With ``DATABASE_URL`` and ``REDIS_URL`` it is the
production shape (PostgreSQL, Redis broker and cache). Every variable is listed in README.md
(Configuration); a ``.env`` file in the project folder, never committed, may set them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _dev_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts of the embedded setup."""
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# --------------------------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# From the environment in production: the web processes refuse to start without it when DEBUG
# is off (newsroom.checks), since every host would otherwise sign sessions and CSRF tokens
# with a key of its own. Management commands, tests and the demo use a generated key in var/.
SECRET_KEY_FROM_ENVIRONMENT = bool(env.str("SECRET_KEY", default=""))
SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# /metrics (newsroom/metrics.py): a bearer token Prometheus sends; without one, only loopback
# and private addresses may read the metrics.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Where readers reach this site (absolute links in webhooks, which have no request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Public URL of this installation: names Newsroom in the feed fetcher's User-Agent.
NEWSROOM_URL = env.str("NEWSROOM_URL", default="https://github.com/newsroom/newsroom")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "template_partials",
    "csp",
    "rest_framework",
    # Its abstract key model is ours (partners.PartnerAPIKey); the app must be installed
    # for its module to import. Its own APIKey model is unused (hidden in the admin).
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Failed logins are counted and locked out (AXES_* below); locks in the admin.
    "axes",
    # Lower layers never import higher ones: sources ← articles ← stories ← enrichment ←
    # editorial ← public, partners; newsroom wires them (docs/architecture-notes.md).
    "sources",
    "articles",
    "stories",
    "enrichment",
    "editorial",
    "public",
    "partners",
    "newsroom",
]

MIDDLEWARE = [
    # Request latency for /metrics, outermost so it times everything below it.
    "newsroom.metrics.request_latency",
    # /healthz, /readyz and /metrics, before the host check and the HTTPS redirect.
    "newsroom.health.probes",
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed and with hashed names, straight from the web process.
    # https://whitenoise.readthedocs.io/en/stable/django.html
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "newsroom.middleware.refuse_nul_bytes",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------
# Database: SQLite by default, PostgreSQL (psycopg 3) from DATABASE_URL
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
# --------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that accepts connections and never answers must not hold a worker until
    # gunicorn kills it (found by an attack on /readyz).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets the web process read while a fetch writes; see
    # https://docs.djangoproject.com/en/5.2/ref/databases/#setting-pragma-options
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# --------------------------------------------------------------------------------------------
# Redis: Celery broker and Django cache when REDIS_URL is set
# --------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache is shared by every process (web, workers, a shell), so a story the desk publishes
# anywhere refreshes the pages the web server keeps (public/cache.py). Redis in production
# (newsroom.cache keeps one client per pool); files in var/cache/ in the embedded setup;
# local memory under pytest, so the suite never shares entries with a running server.
# https://docs.djangoproject.com/en/5.2/topics/cache/#filesystem-caching
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            # A Redis that accepts connections and never answers must not hold a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
elif env.str("PYTEST_VERSION", default=""):  # pytest (8.2+) sets it for its session
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# --------------------------------------------------------------------------------------------
# Celery: https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
# Without REDIS_URL tasks run eagerly in-process (the embedded default).
# --------------------------------------------------------------------------------------------
# Without Redis, tasks run eagerly in-process; the named in-memory broker only keeps kombu
# from warning "No hostname was supplied" on every task sent.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/"
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task acknowledged late (acks_late: fetch, cluster, enrich, receive, webhooks; each safe to
# run twice) whose worker process is killed goes back to the queue instead of being lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through the LOGGING below (JSON in production, with the task's ids).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A message taken by a worker that dies whole (SIGKILL, a lost machine) goes back to the queue
# after this long (kombu's default: an hour). Five times the longest task's hard limit (180 s).
# A task may not wait longer than this in the queue (countdown) without being delivered
# twice, so longer waits are left to the sweeps: webhook retries (partners.sweep) and
# enrichment retries are capped below it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
# Beat's pipeline sweep (newsroom/pipeline.py): how often it runs, and how long an article must
# have waited untouched before the sweep sends it again (messages still queued behind a
# backlog are not sent twice). An article left "enriching" longer than the last lost its
# worker. The chaos run (benchmarks/chaos.py) shortens all three.
PIPELINE_SWEEP_SECONDS = env.int("PIPELINE_SWEEP_SECONDS", default=60)
PIPELINE_SWEEP_GRACE_SECONDS = env.int("PIPELINE_SWEEP_GRACE_SECONDS", default=300)
ENRICHING_STALE_SECONDS = env.int("ENRICHING_STALE_SECONDS", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# One queue per stage, so a backlog in one never starves another: a burst of 2,000 new
# articles to cluster and enrich no longer holds back the next minute's fetches, nor beat's
# ticks behind it (they expire after 55 s). A worker started without -Q consumes them all
# (make worker, the tests); the Procfile starts one per queue.
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name}
    for name in ("fetch", "pipeline", "partners", "housekeeping")
}
CELERY_TASK_DEFAULT_QUEUE = "pipeline"
CELERY_TASK_ROUTES = {
    "sources.fetch_source": {"queue": "fetch"},
    "partners.deliver_webhook": {"queue": "partners"},
    "partners.announce_change": {"queue": "partners"},
    # Beat's ticks: each is short, and each only queues or sweeps.
    "sources.fetch_due_sources": {"queue": "housekeeping"},
    "editorial.publish_due": {"queue": "housekeeping"},
    "partners.sweep": {"queue": "housekeeping"},
    "pipeline.sweep": {"queue": "housekeeping"},
    "pipeline.poll_enrichment_batches": {"queue": "housekeeping"},
    # Everything else (stories.cluster_article, enrichment.enrich_article,
    # editorial.receive_proposal): the default queue, "pipeline".
}

# --------------------------------------------------------------------------------------------
# Feed fetching (sources/)
# --------------------------------------------------------------------------------------------
# Loopback, private and link-local feed addresses are refused unless this is set (tests and
# benchmarks serve feeds on 127.0.0.1). Guards against SSRF through user-supplied feed URLs.
NEWSROOM_ALLOW_PRIVATE_FEEDS = env.bool("NEWSROOM_ALLOW_PRIVATE_FEEDS", default=False)
FEED_MAX_BYTES = env.int("FEED_MAX_BYTES", default=10 * 1024 * 1024)
FEED_CONNECT_TIMEOUT = env.float("FEED_CONNECT_TIMEOUT", default=10.0)
FEED_READ_TIMEOUT = env.float("FEED_READ_TIMEOUT", default=20.0)
FEED_DEADLINE = env.float("FEED_DEADLINE", default=60.0)  # whole request, seconds
FEED_MAX_REDIRECTS = env.int("FEED_MAX_REDIRECTS", default=5)
# Entries kept from one fetch, the newest first (a 50,000-item feed stored 36,000 articles;
# the largest real feed in the test corpus, a podcast archive, has 730).
FEED_MAX_ENTRIES = env.int("FEED_MAX_ENTRIES", default=1000)
# Schedule bounds (seconds). The per-source interval is the floor; publishing frequency,
# <ttl>, Cache-Control, Expires and Retry-After can only lengthen it.
FEED_DEFAULT_INTERVAL = env.int("FEED_DEFAULT_INTERVAL", default=15 * 60)
FEED_MIN_INTERVAL = env.int("FEED_MIN_INTERVAL", default=5 * 60)
FEED_MAX_INTERVAL = env.int("FEED_MAX_INTERVAL", default=24 * 60 * 60)
FEED_BACKOFF_CAP = env.int("FEED_BACKOFF_CAP", default=24 * 60 * 60)
# Consecutive fetches answering with the same permanent redirect before the URL is updated.
FEED_REDIRECT_THRESHOLD = env.int("FEED_REDIRECT_THRESHOLD", default=3)
# How long a worker may hold a source's fetch lease before another may take it.
FEED_LEASE_SECONDS = env.int("FEED_LEASE_SECONDS", default=300)
# What receives parsed entries: the pipeline (newsroom/pipeline.py) stores them with
# `articles.ingest` and starts clustering and enrichment; `sources` may not import those.
SOURCES_ENTRY_SINK = "newsroom.pipeline.store_entries"

# --------------------------------------------------------------------------------------------
# Enrichment (enrichment/)
# --------------------------------------------------------------------------------------------
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ENRICHMENT_BACKEND = env.str(
    "ENRICHMENT_BACKEND", default="claude" if ANTHROPIC_API_KEY else "offline"
)
# A current Haiku-class model from the installed SDK's list (not one it marks deprecated).
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-haiku-5-5")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
ANTHROPIC_TIMEOUT = env.float("ANTHROPIC_TIMEOUT", default=60.0)
# The SDK's own retries stay off: Celery retries with backoff and honours retry-after.
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=0)
ENRICHMENT_MAX_TOKENS = env.int("ENRICHMENT_MAX_TOKENS", default=1500)
# Token budget of the per-article message (header, lead and body, trimmed to fit).
ENRICHMENT_ARTICLE_TOKENS = env.int("ENRICHMENT_ARTICLE_TOKENS", default=1800)
ENRICHMENT_DAILY_BUDGET_USD = env.float("ENRICHMENT_DAILY_BUDGET_USD", default=5.0)
ENRICHMENT_TASK_MAX_RETRIES = env.int("ENRICHMENT_TASK_MAX_RETRIES", default=8)
# USD per million tokens; check https://docs.anthropic.com/en/docs/about-claude/pricing
ENRICHMENT_PRICES = {
    "claude-haiku-5-5": {
        "input": 0.10,
        "output": 0.50,
        "cache_write": 0.125,
        "cache_read": 0.01,
    },
    "claude-haiku-4-5": {
        "input": 1.00,
        "output": 5.00,
        "cache_write": 1.25,
        "cache_read": 0.10,
    },
    "claude-sonnet-5-5": {
        "input": 3.00,
        "output": 15.00,
        "cache_write": 3.75,
        "cache_read": 0.10,
    },
    # Unknown models are priced high so the budget errs on the safe side.
    "default": {
        "input": 5.00,
        "output": 25.00,
        "cache_write": 6.25,
        "cache_read": 0.50,
    },
}
ENRICHMENT_BATCH_DISCOUNT = 0.5  # Message Batches API price factor

# --------------------------------------------------------------------------------------------
# Story clusters (stories/clustering.py); the threshold is tuned for precision with
# benchmarks/clusters.py on the labelled set in benchmarks/clusters_eval.
# --------------------------------------------------------------------------------------------
CLUSTER_WINDOW_HOURS = env.int("CLUSTER_WINDOW_HOURS", default=48)
CLUSTER_THRESHOLD = env.float("CLUSTER_THRESHOLD", default=0.44)
CLUSTER_SAME_SOURCE_THRESHOLD = env.float("CLUSTER_SAME_SOURCE_THRESHOLD", default=0.9)
# Joining a story also needs this fraction of the threshold as mean similarity to its members.
CLUSTER_LINKAGE = env.float("CLUSTER_LINKAGE", default=0.75)
# Consolidation (stories/consolidation.py) settles recent stories as a whole, so the order
# reports arrive in does not decide them: after each ingest batch, and by beat every
# CLUSTER_CONSOLIDATE_SECONDS over the reports ingested in the last CLUSTER_CONSOLIDATE_HOURS.
CLUSTER_CONSOLIDATE_SECONDS = env.int("CLUSTER_CONSOLIDATE_SECONDS", default=300)
CLUSTER_CONSOLIDATE_HOURS = env.float("CLUSTER_CONSOLIDATE_HOURS", default=6)
CLUSTER_REGION_LIMIT = env.int("CLUSTER_REGION_LIMIT", default=600)
CLUSTER_SEED_CHUNK = env.int("CLUSTER_SEED_CHUNK", default=300)
CLUSTER_BIG_STORY = env.int("CLUSTER_BIG_STORY", default=60)
# The band around the threshold where, with an API key, Claude is asked "same event?".
CLUSTER_SECOND_OPINION_BELOW = env.float("CLUSTER_SECOND_OPINION_BELOW", default=0.12)
CLUSTER_SECOND_OPINION_ABOVE = env.float("CLUSTER_SECOND_OPINION_ABOVE", default=0.04)
# Who is asked: a function (first, second) -> opinion or None; empty, the rules alone.
# Claude (enrichment/same_event.py) by default when enrichment runs on Claude with a key.
CLUSTER_SECOND_OPINION = env.str(
    "CLUSTER_SECOND_OPINION",
    default="enrichment.same_event.second_opinion"
    if ENRICHMENT_BACKEND == "claude" and ANTHROPIC_API_KEY
    else "",
)
CLUSTER_SECOND_OPINION_MODEL = env.str("CLUSTER_SECOND_OPINION_MODEL", default="")
CLUSTER_SECOND_OPINION_MAX_PAIRS = env.int(
    "CLUSTER_SECOND_OPINION_MAX_PAIRS", default=20
)
CLUSTER_SECOND_OPINION_TIMEOUT = env.float(
    "CLUSTER_SECOND_OPINION_TIMEOUT", default=15.0
)
CLUSTER_SECOND_OPINION_RETRY_SECONDS = env.int(
    "CLUSTER_SECOND_OPINION_RETRY_SECONDS", default=3600
)
RELATED_DAYS = env.int("RELATED_DAYS", default=14)
RELATED_CACHE_SECONDS = env.int("RELATED_CACHE_SECONDS", default=900)

# --------------------------------------------------------------------------------------------
# Auth, i18n, static
# --------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where a login without a usable "next" lands (Django's default, /accounts/profile/, is a 404
# here): the desk, which the editors log in for.
LOGIN_REDIRECT_URL = "editorial:queue"

# Logins: django-axes counts failed attempts per user name and address; after
# AXES_FAILURE_LIMIT the pair is locked for AXES_COOLOFF_MINUTES (a newsroom behind one office
# address is not locked out by one person's typos under another name). The lock, the
# attempts and every login are in the admin (Axes); a superuser can lift a lock there or
# with `manage.py axes_reset_username <name>`. Behind a reverse proxy set TRUSTED_PROXIES so
# the client's address, not the proxy's, is counted.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A guess during a lock does not restart it: otherwise one request every quarter of an hour
# keeps a user locked out for good (found by an attack).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# How many reverse proxies of ours stand in front of the web processes: the client is the
# X-Forwarded-For entry that many places from the right (newsroom/clients.py). 0: none, and
# the header is ignored (a client could write any address into it).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "newsroom.clients.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names once collectstatic has run (production); the files as they are
# while developing, where runserver serves them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --------------------------------------------------------------------------------------------
# The public site (public/): whole pages cached until the desk changes something readers see
# --------------------------------------------------------------------------------------------
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)
# How long browsers and shared caches may keep a page without asking again (they revalidate
# with the ETag after that). 0, the default: they ask every time ("no-cache"), and the
# answer is a 304 from the page cache, so a story taken down is gone from every reader's
# next page view, not up to a minute later; a site behind a CDN that accepts the delay
# may set a few seconds.
PUBLIC_MAX_AGE = env.int("PUBLIC_MAX_AGE", default=0)
# How long a process trusts the pages' generation it last read (one cache round trip per
# page instead of two); a change made by another process shows within this time.
PUBLIC_GENERATION_MEMO_SECONDS = env.float(
    "PUBLIC_GENERATION_MEMO_SECONDS", default=1.0
)

# --------------------------------------------------------------------------------------------
# Security headers. CSP via django-csp 4: https://django-csp.readthedocs.io/en/latest/
# --------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --------------------------------------------------------------------------------------------
# Partner API: https://www.django-rest-framework.org/api-guide/settings/
# --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerKeyAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partners.permissions.HasPartnerKey"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.throttling.PartnerTierThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom partner API",
    "DESCRIPTION": (
        "Published stories — our summary, analysis, takeaways, sentiment, importance, "
        "companies, corrections and the provenance of every AI field — as a change feed "
        "you can pull incrementally, plus webhooks. Send your key as "
        "`Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.schema.document_problems",
    ],
}
# Requests a partner may make per minute and per day, by tier (None: no daily cap).
PARTNER_TIERS = {
    "trial": {"minute": 60, "day": 5_000},
    "standard": {"minute": 600, "day": 200_000},
    "premium": {"minute": 3_000, "day": None},
}
# The change feed serves changes older than this, so none commits behind a partner's cursor.
PARTNER_FEED_SETTLE_SECONDS = env.int("PARTNER_FEED_SETTLE_SECONDS", default=5)
# How long the API keeps a complete page or a story it built (a change to the feed drops
# them sooner; this bounds how long a renamed source or company can show its old name).
PARTNER_CACHE_SECONDS = env.int("PARTNER_CACHE_SECONDS", default=300)
# Webhooks: attempts per event, the first retry's wait (doubling, capped), disabling.
# Everything one attempt may take (connect, send, the answer's status), in seconds.
PARTNER_WEBHOOK_TIMEOUT = env.float("PARTNER_WEBHOOK_TIMEOUT", default=10.0)
PARTNER_WEBHOOK_MAX_ATTEMPTS = env.int("PARTNER_WEBHOOK_MAX_ATTEMPTS", default=12)
PARTNER_WEBHOOK_BACKOFF = env.int("PARTNER_WEBHOOK_BACKOFF", default=30)  # seconds
PARTNER_WEBHOOK_BACKOFF_CAP = env.int("PARTNER_WEBHOOK_BACKOFF_CAP", default=6 * 3600)
# Without a broker (eager tasks), deliveries run in a background thread after the commit,
# so a slow endpoint never holds the request that published the story (tests: inline).
PARTNER_WEBHOOKS_IN_BACKGROUND = env.bool(
    "PARTNER_WEBHOOKS_IN_BACKGROUND", default=True
)
# An endpoint is disabled after this many events in a row it never accepted.
PARTNER_WEBHOOK_DISABLE_AFTER = env.int("PARTNER_WEBHOOK_DISABLE_AFTER", default=3)
# Webhook URLs pass the feeds' address policy: no loopback or private targets unless allowed.
PARTNER_WEBHOOK_ALLOW_PRIVATE = env.bool(
    "PARTNER_WEBHOOK_ALLOW_PRIVATE", default=NEWSROOM_ALLOW_PRIVATE_FEEDS
)
# Mail to partners (a disabled webhook): https://django-environ.readthedocs.io/ (email_url)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="newsroom@localhost")

# --------------------------------------------------------------------------------------------
# Logging
# --------------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# plain (development) or json (production: one JSON object per line, with the task, the
# source / article / delivery id or the request's path as fields; newsroom/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "newsroom.logs.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(context)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "sources": {"level": LOG_LEVEL},
        "articles": {"level": LOG_LEVEL},
        "stories": {"level": LOG_LEVEL},
        "enrichment": {"level": LOG_LEVEL},
        "editorial": {"level": LOG_LEVEL},
        "partners": {"level": LOG_LEVEL},
        "newsroom": {"level": LOG_LEVEL},
    },
}
