"""Shomp settings: one module, every deploy-specific value from the environment.

The embedded default (no environment at all) is a development setup: SQLite,
in-memory channel layer, files on local disk, email to the console. Production
sets DEBUG=0 plus SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and SMTP_*.
"""

import os
import tempfile
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("SHOMP_TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "channels",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "shomp.accounts",  # before allauth: its templates override allauth's
    "allauth",
    "allauth.account",
    "django_tasks_db",
    "shomp.core",
    "shomp.organizations",
    "shomp.stores",
    "shomp.themes",
    "shomp.catalog",
    "shomp.orders",
    "shomp.messaging",
    "shomp.notifications",
    "shomp.follows",
    "shomp.reviews",
    "shomp.wishlists",
    "shomp.analytics",
    "shomp.bulk",
    "shomp.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 400 for NUL or lone surrogates in the path, query, form, cookies or headers (no column stores them)
    "shomp.core.middleware.RejectUnstorableHttpMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Counts storefront page views on the way out. Above anything that may answer from a cache:
    # a page cache's FetchFromCacheMiddleware would go last, so cached pages still pass here.
    "shomp.analytics.middleware.AnalyticsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: answers anonymous GETs of public pages from the shared cache (shomp/core/pagecache.py),
    # so everything above (CSP, CSRF cookie, analytics, security headers) still runs on a hit.
    "shomp.core.pagecache.SharedPageCacheMiddleware",
]

ROOT_URLCONF = "shomp.urls"
FORM_RENDERER = "shomp.core.forms.FormRenderer"
WSGI_APPLICATION = "shomp.wsgi.application"
ASGI_APPLICATION = "shomp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shomp.core.context_processors.shomp",
                "shomp.orders.context_processors.cart",
                "shomp.messaging.context_processors.messages_badge",
                "shomp.notifications.context_processors.realtime",
                # After Django's csrf processor: placeholders in pages rendered for the shared cache.
                "shomp.core.pagecache.placeholders",
            ],
        },
    },
]

# Database: SQLite on the embedded default, DATABASE_URL (PostgreSQL) otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and statements prepared once one has run 5 times on a
    # connection: PostgreSQL then parses and plans the queries every request repeats (session,
    # user, cart badge, team check) once per connection, not on each request. +13% to +17%
    # requests/s on the logged-in pages (bench/README). Set DATABASE_PREPARED_STATEMENTS=0 behind
    # a pooler that can't keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and TESTING:
    # One test database per test process, so two runs on one machine don't clash.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)  # a fresh clone has no var/ yet
    # WAL and a busy timeout let the web server and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file-based test database: live-server and worker tests open it from other threads.
    # One file per test process, so two runs on one machine don't clash.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when available (rate limits shared between processes), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_settings(url: str, *, prefix: str) -> dict:
    """CACHES and CHANNEL_LAYERS on the Redis at `url` (tests call it for a Redis of their own)."""
    return {
        "CACHES": {
            "default": {
                # While Redis is unreachable, rate limits count in each process's memory: never a
                # 500, never unlimited (shomp/core/cache.py, README "Security").
                "BACKEND": "shomp.core.cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
                # A hung Redis holds a request at most this long before the fallback answers.
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            },
            # Public pages for anonymous visitors (shomp/core/pagecache.py), beside the rate limits.
            "pages": {
                "BACKEND": "shomp.core.cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"{prefix}:pages",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            },
        },
        "CHANNEL_LAYERS": {
            "default": {
                # channels-redis' pub/sub layer: a push is one PUBLISH per topic, and each ASGI
                # process hands it to its own sockets in memory (shomp/core/layers.py; it was
                # one Redis list write and read per socket: bench/README.md "realtime.py").
                "BACKEND": "shomp.core.layers.ProcessFanoutChannelLayer",
                "CONFIG": {
                    # A short connect timeout: a socket handshake during an outage is told to come
                    # back later (1013) at once, instead of hanging (shomp/core/consumers.py).
                    # socket_timeout bounds every command (a publish, a subscribe, the commands
                    # a new connection sends) when Redis hangs without closing the connection;
                    # the subscription's own reads wait for pushes with a timeout of their own.
                    # max_connections: redis-py's async pool raises (not waits) past its default
                    # 100 connections in use.
                    "hosts": [
                        {"address": url, "socket_timeout": 5, "socket_connect_timeout": 1, "max_connections": 1000}
                    ],
                    "prefix": prefix,
                    # Pushes waiting for one socket in its process; past that the socket is closed
                    # with 1013 and its client reconnects and refetches (never a silent drop).
                    "capacity": 2000,
                    # Seconds of silence on a process's subscription before it PINGs Redis there;
                    # no answer within as long again closes that process's sockets with 1013
                    # (a hung Redis or a partition without a reset) and resubscribes afresh.
                    "health_check_interval": 5,
                },
            }
        },
    }


if REDIS_URL:
    # Test runs get their own prefix so they never hear a dev server's events (or each other's).
    # REDIS_PREFIX: several Shomps on one Redis (the multi-process test) keep apart.
    _redis = redis_settings(
        REDIS_URL, prefix=os.environ.get("REDIS_PREFIX") or (f"shomp-test-{os.getpid()}" if TESTING else "shomp")
    )
    CACHES, CHANNEL_LAYERS = _redis["CACHES"], _redis["CHANNEL_LAYERS"]
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Its own memory, so pages never push rate limits out (one process: `manage.py run`).
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shomp-pages",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
    # One process only: `manage.py run` then runs the task worker in the web process, and this
    # layer takes the worker thread's pushes (shomp/core/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "shomp.core.layers.ThreadSafeInMemoryChannelLayer"}}

# Public pages served from the shared cache live at most this long (0 turns the cache off); every
# change bumps them sooner (shomp/core/pagecache.py). SHOMP_RELEASE names the build in their keys.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
SHOMP_RELEASE = os.environ.get("SHOMP_RELEASE", "")

# Background tasks (docs/DEPLOYMENT.md, "Task backend"). TASKS_BACKEND picks the backend:
# - "db" (the default): django-tasks-db, the database is the queue, `manage.py db_worker` runs it;
# - "rq": django-tasks-rq, RQ's queues in Redis, `manage.py rqworker --with-scheduler` runs them
#   (requirements/rq.txt); RQ_REDIS_URL may put them on another Redis than REDIS_URL's;
# - a dotted backend path (tests and benches name the immediate or the database one).
# "media" holds the costly upload processing (review photos and videos:
# core.uploads.MEDIA_TASK_QUEUE), which production runs on its own single worker so at most one
# decode runs at a time.
TASK_QUEUES = ["default", "media"]
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_tasks_backend = os.environ.get("TASKS_BACKEND") or "db"
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(_tasks_backend, _tasks_backend), "QUEUES": TASK_QUEUES}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"]:
    if not REDIS_URL:
        # The worker's pushes (bells, fan-outs) reach the web processes' sockets through Redis.
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL: RQ's workers are processes of their own.")
    if find_spec("django_tasks_rq") is None:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs requirements/rq.txt installed.")
    INSTALLED_APPS.append("django_rq")  # its commands (rqworker) and the backend's system check
    RQ_QUEUES = {
        # RQ kills a job after DEFAULT_TIMEOUT seconds (its default is 3 minutes): a fan-out to a
        # big store's followers or a video decode may take longer.
        name: {"URL": os.environ.get("RQ_REDIS_URL") or REDIS_URL, "DEFAULT_TIMEOUT": 3600}
        for name in TASK_QUEUES
    }
    # The job class that runs a Django task (django-tasks-rq's), so `rqworker` needs no flag.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# allauth: email or username to log in; email, username and password to sign up;
# a one-time code by email ("magic link"); failed logins throttled.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "shomp.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "shomp.accounts.forms.LoginForm"}  # caps the login identifier's length
ACCOUNT_USERNAME_BLACKLIST = []  # filled by the adapter from the reserved slugs
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Which client address the per-address limits count: the connecting peer (REMOTE_ADDR) unless
# TRUSTED_PROXY_COUNT proxies of ours sit in front, in which case the address that many entries
# from the right of X-Forwarded-For (the one our outermost proxy saw). Anything further left is
# typed by the client and never believed, so rotating it can't escape a limit.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Store analytics (docs/ARCHITECTURE.md, "Analytics pipeline"). The buffer: "redis" with
# REDIS_URL, else "memory" (this process, flushed by a timer); tests on SQLite write at once.
ANALYTICS_BUFFER = os.environ.get("ANALYTICS_BUFFER", "immediate" if TESTING and not REDIS_URL else "")
# A proxy header with the client's ISO country code (e.g. Cloudflare's "CF-IPCountry"), or a
# MaxMind-format database file (needs the maxminddb package); neither: countries are unknown.
ANALYTICS_COUNTRY_HEADER = os.environ.get("ANALYTICS_COUNTRY_HEADER", "")
ANALYTICS_GEOIP_PATH = os.environ.get("ANALYTICS_GEOIP_PATH", "")
ANALYTICS_RETENTION_DAYS = int(os.environ.get("ANALYTICS_RETENTION_DAYS", "400"))  # raw rows; rollups stay
ANALYTICS_ROLLUP_EVERY_SECONDS = 0 if TESTING else 60  # a drain re-rolls a store-day at most this often
ANALYTICS_SHIP_SECONDS = 0 if TESTING else 1.0  # with Redis: records gather in the process this long

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["shomp.core.formats"]  # one date format: "Dec 6, 2026" (core/formats/en)

# Static files: vendored front-end, served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
if TESTING and "MEDIA_ROOT" not in os.environ:
    # A test run's uploads go to a throwaway folder (conftest.py removes it), never into var/;
    # the environment carries it to the servers that browser tests start.
    _test_files = tempfile.mkdtemp(prefix="shomp-test-files-")
    os.environ.update(
        SHOMP_TEST_FILES=_test_files,
        MEDIA_ROOT=os.path.join(_test_files, "media"),
        PRIVATE_MEDIA_ROOT=os.path.join(_test_files, "private"),
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")),
            "base_url": "/private-not-served/",
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# How long the presigned S3 URL of a private download lives (core.uploads.private); 0: stream.
PRIVATE_DOWNLOAD_URL_SECONDS = 0
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible storage for public media (served from their own domain via
    # AWS_S3_CUSTOM_DOMAIN) and private files. A private download, once the access-checked
    # view said yes, is a redirect to a presigned URL living PRIVATE_DOWNLOAD_URL_SECONDS
    # (S3File would copy a whole album into a spool before streaming its first byte); what
    # still streams (inline images) spools to disk past max_memory_size.
    PRIVATE_DOWNLOAD_URL_SECONDS = int(os.environ.get("PRIVATE_DOWNLOAD_URL_SECONDS", "60"))
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None, "querystring_auth": False},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME", os.environ["AWS_STORAGE_BUCKET_NAME"]),
            "location": "private",
            "default_acl": "private",
            "max_memory_size": 5 * 1024 * 1024,
        },
    }

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No form takes more than 11 files (a product's images and its file); a request with more is a 400.
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Email: SMTP when SMTP_HOST is set, the console otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shomp <no-reply@shomp.example>")
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": int(os.environ.get("SMTP_PORT", "587")),
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and a strict CSP.
SESSION_ENGINE = "shomp.core.sessions"  # Django's database sessions, read by a query compiled once
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *env_list("CSP_MEDIA_ORIGINS", "")],
    "media-src": [CSP.SELF, *env_list("CSP_MEDIA_ORIGINS", "")],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],  # covers same-origin ws:/wss: too (CSP level 3)
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # db_worker adds its own stdout handler to these; don't print each line twice.
        "django.tasks": {"propagate": False},
        "django_tasks_db": {"propagate": False},
    },
}

# Links in emails. Unset, it follows PORT (as `make run` and `manage.py run` do), so
# `PORT=9000 make run` mails links to port 9000.
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}").rstrip("/")
SHOMP_PAYMENT_PROVIDER = os.environ.get("SHOMP_PAYMENT_PROVIDER", "shomp.orders.payments.TestPaymentProvider")

# bench/pages.py's control: a bare view returning a 1 KB page from the same server, routed only
# while this is on (the benchmark sets it for its servers; never set it in production).
SHOMP_BENCH_CONTROL = env_bool("SHOMP_BENCH_CONTROL", False)

# Demo accounts are made only by `manage.py seed_demo`, and never when DEBUG is off.
SHOMP_DEMO_ALLOWED = DEBUG and env_bool("SHOMP_DEMO_ALLOWED", True)
