"""Configure the desk from the environment (django-environ); the defaults serve a laptop demo."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _dev_secret_key() -> str:
    """Return a random key for debug mode, kept in var/ so that sessions survive restarts."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off (production) the service refuses "
            "to start without one; set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1 for a laptop demo."
        )
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin, on a site that checks every list's selection (factcheck/admin.py).
    "factcheck.admin.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_guid",
    "axes",
    "claims",
    "reviews",
]

MIDDLEWARE = [
    # A client's X-Request-ID is kept only if it is a short token (at most 128 characters).
    "factcheck.middleware.RequestIdCheckMiddleware",
    # Give every request an id that follows it into logs and the Celery jobs it schedules.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Ids in addresses are ASCII digits: "١" or "²" is a 404 everywhere, never object 1 or a 500.
    "factcheck.middleware.AsciiDigitsOnlyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage answers 503 with Retry-After, quickly, instead of a 500.
    "factcheck.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a 429 page.
    "axes.middleware.AxesMiddleware",
]

# Messages live in the session (server-side), never in a cookie: one-time secrets such as a new
# API key or webhook signing secret travel in them, and a signed cookie is still readable.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

AUTHENTICATION_BACKENDS = [
    # Counts failed logins per username and address and refuses them past the limit.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff log in at /admin/; a login whose `next` is refused (another site) lands on the desk.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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

# --- Database -------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Re-check pooled connections so the web processes recover by themselves after a restart.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # The public API's hot reads and a fetch's statements (factcheck/compiled.py) bind their
    # parameters on the server, so the connection prepares them and PostgreSQL plans each once
    # per connection; the ORM's own queries are never prepared. Off (0) behind a pooler that
    # cannot keep prepared statements.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 1)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs jobs in-process next to the web server. Write-ahead logging lets readers and
    # the one writer work at once, so a slow list or a long ingestion never locks logins out; a
    # writer waits for another up to the busy timeout instead of failing, and takes its write
    # lock when its transaction begins (IMMEDIATE), so two writers never deadlock on upgrade.
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("timeout", env.float("SQLITE_BUSY_TIMEOUT_SECONDS", default=20.0))
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date format on every page (factcheck/formats/en/formats.py).
FORMAT_MODULE_PATH = ["factcheck.formats"]

# --- Static and uploaded files ------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Security (production defaults whenever debug is off) ----------------

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer probes /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Celery ----------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process when they are scheduled (the laptop demo).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    # Named host: kombu warns about a broker URL without one, and here none is meant.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = (
    env.str(
        "CELERY_RESULT_BACKEND",
        default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    )
    or None
)
CELERY_RESULT_EXPIRES = 3600
# No task's caller waits for its result: the database rows are the record. Storing results would
# make every publish subscribe to the result backend first, which retries for about 20 s while
# Redis is down and so holds up the request that scheduled the task.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# The reliability settings every task relies on live in factcheck/celery.py, one comment each.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# Periodic jobs for `celery beat`; each app's block below adds its own entries.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- The desk ----------------------------------------------------------------

DESK_NAME = env.str("DESK_NAME", default="Fact-check desk")

# --- Sentence encoder -----------------------------------------------------------

# The one sentence encoder of the service (claims.encoding.get_encoder): a name from
# claims.encoding.ENCODERS. "minilm-int8" is the production model; "hashing" is a tiny
# deterministic stand-in for tests. A system check refuses an unknown name or altered weights.
CLAIMS_ENCODER = env.str("CLAIMS_ENCODER", default="minilm-int8")

# --- Fetching ------------------------------------------------------------------

# Test-only: lets the fetcher reach loopback and private networks (never link-local or metadata).
FETCH_ALLOW_PRIVATE_NETWORKS = env.bool("FETCH_ALLOW_PRIVATE_NETWORKS", default=False)
FETCH_ALLOWED_PORTS = [int(p) for p in env.list("FETCH_ALLOWED_PORTS", default=["80", "443"])]
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=10 * 1024 * 1024)
FETCH_DEADLINE_SECONDS = env.float("FETCH_DEADLINE_SECONDS", default=20.0)
FETCH_USER_AGENT = env.str(
    "FETCH_USER_AGENT",
    # Names the service and where the desk that runs it can be reached.
    default=(
        f"FactcheckDesk/1.0 (+{env.str('DESK_BASE_URL', default='http://127.0.0.1:8000')}; "
        "archive of cited reporting)"
    ),
)
# Attempts per source before it is marked failed; transient failures back off exponentially.
FETCH_MAX_ATTEMPTS = env.int("FETCH_MAX_ATTEMPTS", default=5)
FETCH_RETRY_BACKOFF_SECONDS = env.float("FETCH_RETRY_BACKOFF_SECONDS", default=30.0)
FETCH_RETRY_BACKOFF_MAX_SECONDS = env.float("FETCH_RETRY_BACKOFF_MAX_SECONDS", default=3600.0)
# A fetch holds its source this long; it must outlast the deadline plus archiving and ranking.
FETCH_LEASE_SECONDS = env.float("FETCH_LEASE_SECONDS", default=120.0)
# A source the sweeper queued is queued again after this if no worker has taken it.
FETCH_REQUEUE_SECONDS = env.float("FETCH_REQUEUE_SECONDS", default=300.0)
# Tasks that wait on the network (fetches, re-checks, webhook deliveries) go to this queue,
# served by a thread-pool worker; factcheck.queueing.route reads both when a message is sent.
FETCH_QUEUE = env.str("FETCH_QUEUE", default="fetch")
FETCH_QUEUE_TASKS = ["claims.fetch_source", "claims.recheck_source", "reviews.deliver_webhook"]
FETCH_PASSAGES_PER_CLAIM = env.int("FETCH_PASSAGES_PER_CLAIM", default=5)
# Fetches of one host start at least this many seconds apart, whatever the number of workers.
FETCH_HOST_INTERVAL_SECONDS = env.float("FETCH_HOST_INTERVAL_SECONDS", default=1.0)
# One piece may cite at most this many distinct addresses, on at most this many hosts.
INGEST_MAX_LINKS = env.int("INGEST_MAX_LINKS", default=200)
INGEST_MAX_LINK_HOSTS = env.int("INGEST_MAX_LINK_HOSTS", default=100)
FETCH_RECHECK_AFTER_DAYS = env.int("FETCH_RECHECK_AFTER_DAYS", default=7)
# Dotted path to a callable returning the claims whose sources the weekly re-check covers; the
# wiring lives here because claims never imports reviews. Empty means every archived source.
FETCH_RECHECK_CLAIMS = env.str(
    "FETCH_RECHECK_CLAIMS", default="reviews.selectors.claims_behind_published_verdicts"
)
# The sources whose re-fetch only an editor may ask for, from the ticket page (a callable).
FETCH_PROTECTED_SOURCES = env.str(
    "FETCH_PROTECTED_SOURCES", default="reviews.selectors.sources_behind_published_verdicts"
)
# The articles readers see now (a callable): sending one again never puts it under embargo.
CLAIMS_PUBLIC_ARTICLES = env.str(
    "CLAIMS_PUBLIC_ARTICLES", default="reviews.selectors.articles_public"
)
# What an edit of a piece's details tells (a callable): its published verdicts change.
CLAIMS_ARTICLE_CHANGED = env.str(
    "CLAIMS_ARTICLE_CHANGED", default="reviews.services.publication.article_shown_changed"
)
# What a tag's rename or deletion tells (a callable): the published verdicts showing it change.
CLAIMS_TAG_CHANGED = env.str(
    "CLAIMS_TAG_CHANGED", default="reviews.services.tagging.tag_shown_changed"
)
CELERY_TASK_ROUTES = ["factcheck.queueing.route"]
CELERY_BEAT_SCHEDULE["claims.sweep_sources"] = {
    "task": "claims.sweep_sources",
    "schedule": env.float("FETCH_SWEEP_INTERVAL_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["claims.recheck_links"] = {
    "task": "claims.recheck_links",
    "schedule": crontab(minute=17, hour=3, day_of_week="mon"),
}

# --- Review desk -----------------------------------------------------------------

# Editors' approvals a verdict's current revision needs before it can be published.
REVIEW_APPROVALS_REQUIRED = env.int("REVIEW_APPROVALS_REQUIRED", default=1)
# Editors who may vote on one revision: 0 lets any number vote; 3 makes a PolitiFact-style panel.
REVIEW_PANEL_SIZE = env.int("REVIEW_PANEL_SIZE", default=0)
# On, a revision that cites no evidence cannot be approved or published (off: only a warning).
REVIEW_REQUIRE_EVIDENCE = env.bool("REVIEW_REQUIRE_EVIDENCE", default=False)
if REVIEW_APPROVALS_REQUIRED < 1 or 0 < REVIEW_PANEL_SIZE < REVIEW_APPROVALS_REQUIRED:
    raise ImproperlyConfigured(
        "REVIEW_APPROVALS_REQUIRED must be at least 1 and, with a panel (REVIEW_PANEL_SIZE > 0), "
        "no more than the panel's size; otherwise no verdict could ever be approved."
    )
# The largest file a fact-checker may upload as evidence (screenshot, PDF, document), in bytes.
DESK_ATTACHMENT_MAX_BYTES = env.int("DESK_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Links in notification e-mails start with this.
DESK_BASE_URL = env.str("DESK_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="desk@localhost")
if DEBUG:
    # The demo prints notification e-mails on the console instead of sending them.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # EMAIL_URL such as smtp+tls://user:password@mail.example.org:587
    globals().update(
        (key, value)
        for key, value in env.email_url("EMAIL_URL", default="smtp://localhost:25").items()
        if key.startswith("EMAIL_") and value is not None
    )
CELERY_BEAT_SCHEDULE["reviews.publish_due"] = {
    "task": "reviews.publish_due",
    "schedule": env.float("REVIEW_PUBLISH_DUE_INTERVAL_SECONDS", default=60.0),
}
# Pieces pasted or uploaded in the admin up to this many characters are ingested in the request;
# longer ones by a background job whose progress the piece's page shows.
INGEST_INLINE_MAX_CHARS = env.int("INGEST_INLINE_MAX_CHARS", default=100_000)
# A piece's background job (ingestion, removal) not finished this long after it was queued or
# started is sent again by the sweeper (a message the broker lost, a worker killed): longer than
# the longest ingestion (a 1.7-million-character piece takes a few minutes).
INGEST_REQUEUE_SECONDS = env.float("INGEST_REQUEUE_SECONDS", default=1800.0)
CELERY_BEAT_SCHEDULE["reviews.sweep_intakes"] = {
    "task": "reviews.sweep_intakes",
    "schedule": env.float("INGEST_SWEEP_INTERVAL_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["reviews.resend_notifications"] = {
    "task": "reviews.resend_notifications",
    "schedule": 600.0,
}

# --- Claim matching (claims/matching, reviews/services/matching.py) -------------------------

# Match every new claim against published verdicts, open tickets and external fact-checks.
MATCHING_ENABLED = env.bool("MATCHING_ENABLED", default=True)
# Scores at which a match is shown as suggested / confirmed; empty: the calibration measured for
# the encoder (claims/matching/calibration.json, written by bench/matching.py).
MATCHING_SUGGESTED_THRESHOLD = env.float("MATCHING_SUGGESTED_THRESHOLD", default=None)
MATCHING_CONFIRMED_THRESHOLD = env.float("MATCHING_CONFIRMED_THRESHOLD", default=None)
# How far the best match must lead the runner-up to be confirmed (also measured per model).
MATCHING_CONFIRMED_MARGIN = env.float("MATCHING_CONFIRMED_MARGIN", default=None)
# Matches kept per claim.
MATCHING_TOP = env.int("MATCHING_TOP", default=5)
# Items without a vector that a matching job embeds itself; more (a model change) is left to the
# background refresh so a job never embeds the whole corpus.
MATCHING_EMBED_INLINE_LIMIT = env.int("MATCHING_EMBED_INLINE_LIMIT", default=64)
# Stored vectors up to which search is exact (numpy); above it an approximate faiss index finds
# candidates that are then rescored exactly (measured in BENCHMARKS.md, "Claim matching").
MATCHING_EXACT_LIMIT = env.int("MATCHING_EXACT_LIMIT", default=20_000)
# Each worker process keeps its matcher between jobs and adds what was stored since; it rebuilds
# once the rows added pass this share of the build (added texts are weighed with the build's
# vocabulary) or the matcher is this old (BENCHMARKS.md, "Claim matching": first and later jobs).
MATCHING_CACHE_REBUILD_SHARE = env.float("MATCHING_CACHE_REBUILD_SHARE", default=0.1)
MATCHING_CACHE_MAX_AGE_SECONDS = env.float("MATCHING_CACHE_MAX_AGE_SECONDS", default=6 * 3600.0)
# Where vectors are searched: "numpy" (in process: exact, or faiss above the limit). pgvector is
# not written yet; see README "Claim matching" for what switching to it takes.
MATCHING_VECTOR_BACKEND = env.str("MATCHING_VECTOR_BACKEND", default="numpy")
if MATCHING_VECTOR_BACKEND != "numpy":
    raise ImproperlyConfigured(
        "MATCHING_VECTOR_BACKEND must be 'numpy'; pgvector needs the migration described in "
        "the README's claim matching section first."
    )
# Other publishers' ClaimReview feeds re-imported by beat (comma-separated URLs; fetched through
# the SSRF-safe fetcher), and how often.
CLAIMREVIEW_FEEDS = env.list("CLAIMREVIEW_FEEDS", default=[])
CELERY_BEAT_SCHEDULE["claims.pull_claimreview_feeds"] = {
    "task": "claims.pull_claimreview_feeds",
    "schedule": env.float("CLAIMREVIEW_FEED_INTERVAL_SECONDS", default=86400.0),
}
CELERY_BEAT_SCHEDULE["reviews.refresh_embeddings"] = {
    "task": "reviews.refresh_embeddings",
    "schedule": env.float("MATCHING_REFRESH_INTERVAL_SECONDS", default=300.0),
}
# A claim's matching not done this long after it was queued is queued again by the sweeper
# (a message lost in a broker outage); beat runs the sweeper this often.
MATCHING_REQUEUE_SECONDS = env.float("MATCHING_REQUEUE_SECONDS", default=300.0)
CELERY_BEAT_SCHEDULE["reviews.sweep_matching"] = {
    "task": "reviews.sweep_matching",
    "schedule": env.float("MATCHING_SWEEP_INTERVAL_SECONDS", default=60.0),
}

# --- Hardening and observability ---------------------------------------------

# Brute force against the admin login: lock a username+address pair after repeated failures.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many proxies sit in front of the web processes; the client address is read behind them,
# by one rule (factcheck.access.client_address) for the API's throttles and the login lockout.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "factcheck.access.client_address"
# A styled page that says how long the lockout lasts, with Retry-After and a way back.
AXES_LOCKOUT_CALLABLE = "factcheck.access.locked_out"

# Request bodies larger than this are refused before they are read (the ingest API's limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_REQUEST_BYTES", default=5 * 1024 * 1024)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    # Carries the request id from the web process into the Celery jobs it schedules.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

LOG_FORMAT = env.str("LOG_FORMAT", default="json" if not DEBUG else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "correlation_id": "request_id",
            },
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # faiss says which CPU build it loaded, at INFO, each time a process first needs it.
        "faiss.loader": {"level": "WARNING"},
        # Django's own default config gives "django" a console handler of its own in debug;
        # without it a warning prints once, through the root handler above, not twice.
        "django": {"handlers": [], "level": "INFO"},
        # The demo's console shows one line per request (runserver's), not each job's bookkeeping.
        **(
            {
                name: {"level": "WARNING"}
                for name in ("django_guid", "django_guid.celery", "celery.app.trace", "httpx")
            }
            if DEBUG
            else {}
        ),
    },
}

# --- API ---------------------------------------------------------------------------

# Anyone may read published verdicts (rate-limited); off, reading needs an API key.
API_PUBLIC_READ = env.bool("API_PUBLIC_READ", default=True)
# Each client of a syncing loop pages through this many verdicts; it may ask for up to the max.
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an unauthenticated request is answered 401 with WWW-Authenticate.
        "reviews.api.authentication.ClientKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reviews.api.permissions.DeskStaff"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "reviews.api.throttling.AnonThrottle",
        "reviews.api.throttling.ClientKeyThrottle",
        "reviews.api.throttling.StaffThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "key": env.str("API_THROTTLE_KEY", default="600/min"),
        "staff": env.str("API_THROTTLE_STAFF", default="1200/min"),
    },
    # Our throttles read factcheck.access.client_address; this keeps any DRF throttle on the
    # same count of proxies (never None, which trusts whatever X-Forwarded-For a client sends).
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "reviews.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "reviews.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The default cache keeps rendered API bodies under their fingerprint (reviews/api/conditional.py);
# the throttle cache counts requests. Each is shared by every web process when given a Redis URL.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    "throttle": env.cache("API_THROTTLE_CACHE_URL", default="locmemcache://api-throttle"),
}
for _cache in CACHES.values():
    if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Redis down must cost a request half a second at most, never a 500: the cache fails
        # open (a throttle lets the request through, a kept body is rendered again).
        _cache["BACKEND"] = "factcheck.cache.FailOpenRedisCache"
        _cache.setdefault("OPTIONS", {}).update(socket_connect_timeout=0.5, socket_timeout=0.5)
SPECTACULAR_SETTINGS = {
    "TITLE": f"{DESK_NAME} API",
    "DESCRIPTION": (
        "Published verdicts for REST clients: list and sync them, fetch their ClaimReview, "
        "ingest pieces, and drive the desk's workflow from newsroom tooling."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Served from our own static files: the CSP allows no other origin, and docs need no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# ClaimReview's author: the organization that publishes the verdicts.
CLAIMREVIEW_PUBLISHER_NAME = env.str("CLAIMREVIEW_PUBLISHER_NAME", default=DESK_NAME)
CLAIMREVIEW_PUBLISHER_URL = env.str("CLAIMREVIEW_PUBLISHER_URL", default=DESK_BASE_URL)
# The language the desk writes its verdicts in (BCP 47), ClaimReview's inLanguage.
CLAIMREVIEW_LANGUAGE = env.str("CLAIMREVIEW_LANGUAGE", default="en")
# A webhook delivery is tried this often, backing off exponentially, then marked failed.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=6 * 3600.0)
# A subscription whose deliveries fail this many times in a row is paused until an admin resumes.
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=20)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["reviews.sweep_webhooks"] = {
    "task": "reviews.sweep_webhooks",
    "schedule": env.float("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=60.0),
}
