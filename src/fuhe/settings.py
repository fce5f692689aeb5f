"""Django settings for Fuhe.

Every setting comes from the environment (``FUHE_*``) with safe production defaults:
``DEBUG`` is off, cookies are secure unless ``FUHE_SECURE_COOKIES=0`` (the local demo sets it),
and the secret key is read from ``FUHE_SECRET_KEY`` or generated once into the data folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository root in a checkout


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("FUHE_DATA_DIR", BASE_DIR / "var"))
FUHE_SHARED_DATA = Path(os.environ.get("FUHE_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))

DEBUG = env_bool("FUHE_DEBUG", False)


def _secret_key() -> str:
    configured = os.environ.get("FUHE_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("FUHE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("FUHE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # its static Swagger UI and ReDoc: the API docs load nothing from a CDN
    "fuhe.audit",
    "fuhe.org",
    "fuhe.accounts",
    "fuhe.web",
    "fuhe.cases",
    "fuhe.duties",
    "fuhe.burden",
    "fuhe.api",
    "fuhe.demo",
    "fuhe.routing",
    "fuhe.participation",
    "fuhe.resources",
    "fuhe.funding",
    "fuhe.deliberation",
    "fuhe.maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fuhe.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fuhe.web.middleware.DefaultLanguageMiddleware",
    "fuhe.web.middleware.NulCharacterGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # last, so it sees the views' exceptions first: a write that met a busy database answers 503, keeping the input
    "fuhe.web.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "fuhe.urls"
WSGI_APPLICATION = "fuhe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fuhe.web.context_processors.navigation",
                "fuhe.web.context_processors.calendar_warning",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite in WAL mode is the embedded default; FUHE_DATABASE_URL selects PostgreSQL
# (postgres://user:password@host:port/name).
SQLITE_PATH = DATA_DIR / "fuhe.sqlite3"
_database_url = os.environ.get("FUHE_DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "fuhe.db.sqlite",
            "NAME": SQLITE_PATH,
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
                # timeout instead of failing half-way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    # checkpoint every 10,000 pages (40 MB of WAL) instead of 1,000: each checkpoint syncs the
                    # WAL and the database file inside some request's commit, and a hot index page written by
                    # many commits is copied once (intake ~25 % faster; docs/performance.md)
                    "PRAGMA wal_autocheckpoint=10000;"
                    # a log grown by one big transaction (an import) is cut back to 64 MB once it restarts
                    "PRAGMA journal_size_limit=67108864;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
            "TEST": {"NAME": os.environ.get("FUHE_TEST_SQLITE", "")} if os.environ.get("FUHE_TEST_SQLITE") else {},
        }
    }
# SQLite (fuhe.db.sqlite): writers queue on a file lock, and one process's thread checkpoints the write-ahead log
# outside the requests; set FUHE_SQLITE_CHECKPOINTER=0 to leave checkpoints to SQLite's commits (ADR 0008)
FUHE_SQLITE_CHECKPOINTER = env_bool("FUHE_SQLITE_CHECKPOINTER", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication and session security -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Lockout after repeated failures (django-axes): 5 failures per username+address, 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("FUHE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("FUHE_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

SECURE_COOKIES = env_bool("FUHE_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("FUHE_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (ADR 0010): scripts only from our own static files. Styles may be inline: ECharts'
# tooltips and htmx's indicator write style attributes, and a style cannot run code. The map's tile server
# (FUHE_MAP_TILE_URL) is added to img-src. An empty dict sends no header.
FUHE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env_bool("FUHE_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files: everything vendored, nothing loaded from the internet -------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "fuhe.audit.logging.MaskPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("FUHE_LOG_LEVEL", "WARNING")},
}

# --- background worker ----------------------------------------------------------------------------
# Huey keeps its queue in a SQLite file beside the database: no extra server, survives restarts.
# For scale set FUHE_HUEY_REDIS_URL (redis://…) and run `fuhe run_huey` on its own.
_huey_redis = os.environ.get("FUHE_HUEY_REDIS_URL", "")
HUEY = {
    "huey_class": "huey.RedisHuey" if _huey_redis else "fuhe.worker.SqliteHuey",
    "name": "fuhe",
    "immediate": env_bool("FUHE_TASKS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 1, "worker_type": "thread", "periodic": True},
    **({"url": _huey_redis} if _huey_redis else {"filename": str(DATA_DIR / "tasks.sqlite3")}),
}

# --- Fuhe ----------------------------------------------------------------------------------
# The audit chain's HMAC key (ADR 0003), created 0600 on first use; earlier keys stay beside it as audit.key.<id>.
# Keep it outside the database's reach (another disk or secret mount) and back it up: without it nothing it signed
# can be verified.
FUHE_AUDIT_KEY_FILE = Path(os.environ.get("FUHE_AUDIT_KEY_FILE", DATA_DIR / "audit.key"))
FUHE_PAGE_SIZE = 50
FUHE_MAX_REOPENS = int(os.environ.get("FUHE_MAX_REOPENS", "1"))  # an unsatisfied rating reopens at most this often
FUHE_RATING_WINDOW_DAYS = int(os.environ.get("FUHE_RATING_WINDOW_DAYS", "7"))  # unrated after this: closed 未评价
FUHE_RESOURCE_STALE_DAYS = int(os.environ.get("FUHE_RESOURCE_STALE_DAYS", "90"))  # unconfirmed this long: stale
FUHE_SPOT_CHECK_SHARE = float(os.environ.get("FUHE_SPOT_CHECK_SHARE", "0.1"))  # on-spot fixes drawn for a check
FUHE_DELIBERATION_MIN_CELL = int(os.environ.get("FUHE_DELIBERATION_MIN_CELL", "5"))  # smaller inclusion cells hidden
FUHE_DELIBERATION_SUPPORT_THRESHOLD = int(os.environ.get("FUHE_DELIBERATION_SUPPORT_THRESHOLD", "10"))  # to agenda
FUHE_DELIBERATION_AGENDA_DAYS = int(os.environ.get("FUHE_DELIBERATION_AGENDA_DAYS", "30"))  # a proposal taken up within
FUHE_MAX_PHOTOS = 3
FUHE_MAX_PHOTO_BYTES = 5 * 1024 * 1024
# rows a ticket import may hold (the worker refuses a longer file, naming the cap)
FUHE_IMPORT_MAX_ROWS = int(os.environ.get("FUHE_IMPORT_MAX_ROWS", "50000"))
MEDIA_ROOT = DATA_DIR / "media"
FUHE_FALLBACK_REGION_CODE = os.environ.get("FUHE_FALLBACK_REGION_CODE", "")  # district 兜底 for unplaced cases
# A tile server for map picks (e.g. a city's own); empty: no map, the typed address is used (works offline).
FUHE_MAP_TILE_URL = os.environ.get("FUHE_MAP_TILE_URL", "")
FUHE_MAP_TILE_ATTRIBUTION = os.environ.get("FUHE_MAP_TILE_ATTRIBUTION", "")  # the tile layer's credit line
FUHE_MESSAGE_SENDER = os.environ.get("FUHE_MESSAGE_SENDER", "fuhe.cases.services.notify.ConsoleSender")
FUHE_DEMO_PASSWORD = os.environ.get("FUHE_DEMO_PASSWORD", "fuhe-demo-2026")
FUHE_PDF_FONT = os.environ.get("FUHE_PDF_FONT", "")  # a CJK .ttf/.ttc for PDF exports; empty: Debian's usual fonts
# routing dispatches a case by itself only above this confidence: "measured" takes the threshold measured on
# held-out cases when the model was trained (precision ≥ 95 %); a number overrides it; "off": always a person
FUHE_AUTO_DISPATCH_CONFIDENCE = os.environ.get("FUHE_AUTO_DISPATCH_CONFIDENCE", "measured")
# `fuhe serve` (gunicorn): address, worker processes and threads per worker
FUHE_BIND = os.environ.get("FUHE_BIND", "127.0.0.1:8000")
FUHE_WORKERS = int(os.environ.get("FUHE_WORKERS", "2"))
FUHE_THREADS = int(os.environ.get("FUHE_THREADS", "4"))

# --- open API (fuhe.api): JSON API at /api/v1/, Open311 GeoReport v2 at /open311/v2/ ----------------------------
# Abuse limits per endpoint group, "N/s|m|h|d", counted per API key (or signed-in user), else per client address.
FUHE_RATE_LIMITS = {
    "public_read": os.environ.get("FUHE_RATE_LIMIT_PUBLIC_READ", "120/m"),  # Open311 GETs
    "read": os.environ.get("FUHE_RATE_LIMIT_READ", "600/m"),  # JSON API GETs
    "write": os.environ.get("FUHE_RATE_LIMIT_WRITE", "30/m"),  # case creation and actions, Open311 POST
    # the web's anonymous channels: resident reports and tracking look-ups per address (many residents may share
    # one carrier address: bursts are stopped, not neighbours), wrong phone digits per tracking code (any address)
    "report": os.environ.get("FUHE_RATE_LIMIT_REPORT", "10/m"),
    "track": os.environ.get("FUHE_RATE_LIMIT_TRACK", "30/m"),
    "track_failures": os.environ.get("FUHE_RATE_LIMIT_TRACK_FAILURES", "5/15m"),
}
FUHE_TRUSTED_PROXIES = int(os.environ.get("FUHE_TRUSTED_PROXIES", "0"))  # X-Forwarded-For hops to trust
# The counters live in a file cache shared by all gunicorn workers (Django's default cache is per process).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
FUHE_RATE_LIMIT_CACHE = os.environ.get("FUHE_RATE_LIMIT_CACHE", "ratelimit")
FUHE_OPEN311_JURISDICTION = os.environ.get("FUHE_OPEN311_JURISDICTION", "")  # empty: any jurisdiction_id accepted
FUHE_OPEN311_CONTACT = os.environ.get("FUHE_OPEN311_CONTACT", "12345")
FUHE_OPEN311_PAGE_SIZE = int(os.environ.get("FUHE_OPEN311_PAGE_SIZE", "500"))

# ClockPolicy's unique (urgency, request_type, category) treats empty values as equal (nulls_distinct=False).
# PostgreSQL enforces it; SQLite cannot create such a constraint, and model validation (the admin's forms, the
# only writer of clock policies) checks it on both.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
