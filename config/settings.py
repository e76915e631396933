"""Django settings, read from the environment in one place.

Every setting a deployment may change is an environment variable, each documented in
docs/configuration.md.
Defaults suit a laptop: SQLite, DEBUG off, local-memory cache.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
import plotly
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_number(name: str, default: str, kind: type[int] | type[float] = int) -> int | float:
    """Read a numeric environment variable; a value that is not a number is a clear error."""
    raw = os.environ.get(name, default).strip()
    try:
        return kind(raw)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name} must be {expected}, got {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list, blanks dropped."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # A development key: fine on a laptop, refused by `check --deploy`.
    SECRET_KEY = "django-insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute base of the links printed by `create_invitations` and sent to respondents.
SURVEY_BASE_URL = os.environ.get("SURVEY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SURVEY_BASE_URL.startswith(("http://", "https://")) or SURVEY_BASE_URL.endswith("://"):
    raise ImproperlyConfigured(
        f"SURVEY_BASE_URL must be an absolute http:// or https:// address, e.g. "
        f"https://survey.example.org, got {SURVEY_BASE_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "csp",
    "accounts",
    "assessment",
    "survey",
    "reports",
    "audit",
]

MIDDLEWARE = [
    # An id for every request, in its log lines and the X-Request-ID header (issue 16).
    "config.middleware.request_id",
    # /healthz answers before the HTTPS redirect and the host check: a load balancer probes
    # over HTTP, by address (config/health.py; issue 16).
    "config.health.health",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A bodiless 405 gets our page (templates/405.html), translated (issue 18).
    "config.middleware.method_not_allowed_page",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.permissions_policy",
    # Last: turns a locked-out login attempt into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# SQLite by default (WAL, a busy timeout, immediate transactions so concurrent writers queue
# instead of failing); DATABASE_URL=postgres://... switches to PostgreSQL.
try:
    DATABASES = {
        "default": dj_database_url.config(
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=env_number("CONN_MAX_AGE", "0"),
        )
    }
except ValueError as error:  # dj-database-url's UnknownSchemeError and malformed URLs
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL ({error}); "
        "use sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Unreachable PostgreSQL fails fast (libpq waits forever by default); a connect_timeout
    # in DATABASE_URL's query string wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:round_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# gettext catalogs (locale/<language>/LC_MESSAGES/django.po), compiled by `make`. English,
# then every language with a catalog: adding a catalog adds the language (docs/languages.md).
# Each is named in its own tongue, as the switcher shows it. The respondent path also shows
# the instrument's own strings in these languages where its file translates them.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("en", "English")] + [
    (path.parent.parent.name, LANG_INFO[path.parent.parent.name]["name_local"].capitalize())
    for path in sorted(LOCALE_PATHS[0].glob("*/LC_MESSAGES/django.po"))
    if path.parent.parent.name in LANG_INFO
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js as shipped inside the plotly package: no CDN, works air-gapped.
    ("plotly", Path(plotly.__file__).resolve().parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the finders when nothing was collected (a laptop, the test suite).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads (survey/uploads.py): the cap of each kind of file sent through the web, said in the
# form. A response file of 20 MB is about 135,000 respondents of 60 columns; its check takes
# a few seconds and some 300 MB of memory, and it waits in the session until confirmed (the
# import_responses command has no cap). A mapping file is capped at the YAML reader's own
# limit (assessment.yaml_limits.MAX_YAML_BYTES, 2 MB).
FRICTION_IMPORT_MAX_BYTES = env_number("FRICTION_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
FRICTION_MAPPING_MAX_BYTES = 2 * 1024 * 1024
FRICTION_INVITEE_MAX_BYTES = env_number("FRICTION_INVITEE_MAX_BYTES", str(2 * 1024 * 1024))
# Django's own limits, stated: a file above FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a
# temporary file instead of memory; DATA_UPLOAD_MAX_MEMORY_SIZE counts the form's other
# fields only (never files), the largest being up to 500,000 pasted invitee addresses (at most
# 2 MB in UTF-8). Beyond it the page says the form was too large (templates/413.html).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering fails a request (and /healthz) within seconds
            # instead of holding a worker thread until the operating system gives up.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security: secure cookies and HSTS in production (HTTPS); off for plain-HTTP local use.
SECURE_HTTPS = env_bool("SECURE_HTTPS")
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A failed CSRF check on a survey page shows the page again with what was typed
# (survey.views.csrf_failure); elsewhere templates/403_csrf.html.
CSRF_FAILURE_VIEW = "survey.views.csrf_failure"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp 4): scripts only from our own origin, no inline code.
# Plotly writes style attributes and a <style> element when it draws, hence 'unsafe-inline'
# for styles only. Bootstrap's form controls use data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): 5 failures for one username from one IP address lock that
# pair out for 15 minutes; the lockout page is registration/lockout.html.
AUTHENTICATION_BACKENDS = [
    "config.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_number("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_number("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Single sign-on callbacks carry no password to guess (accounts.backends): not throttled.
AXES_WHITELIST_CALLABLE = "config.auth_backends.is_single_sign_on"
# Behind a proxy every request comes from the proxy's address: count failures per address
# the proxy saw instead (config/proxy.py; issue 16).
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_address" if BEHIND_PROXY else None

# Free-text comments need more respondents than scores before they are shown (methodology).
FRICTION_COMMENT_MIN_GROUP_SIZE = env_number("FRICTION_COMMENT_MIN_GROUP_SIZE", "10")

# Analysis thresholds (see the methodology page).
FRICTION_DEFAULT_MIN_GROUP_SIZE = 5
FRICTION_MIN_GROUP_SIZE_FLOOR = 3
# k cannot be lowered once a round has responses, so a typo (50 for 5) must not go through.
FRICTION_MAX_GROUP_SIZE = 100
# The cell-key method (docs/methodology.md, "Anonymity"): every published count moves by at
# most FRICTION_COUNT_BOUND respondents and every sum of scores by FRICTION_SUM_BOUND points
# (a mean of n by that over n). None: from the round's k (2k, and 15 × (k − 1) points), the
# values the disclosure audit was run with; 0 and 0 publish exact figures (tests only). The
# secret fixes the noise: keep it for the life of the data, since a new secret gives every
# group new figures, and two sets could be averaged.
FRICTION_CELL_KEY_SECRET = os.environ.get("FRICTION_CELL_KEY_SECRET") or f"cell-key:{SECRET_KEY}"
FRICTION_COUNT_BOUND = None
FRICTION_SUM_BOUND = None

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}."
    )
# --- Logs (issue 16): one JSON object per line for log collectors, text for a terminal ------
# gunicorn's master configures its own logging from this dict too (config/gunicorn.conf.py),
# so its lines, the access log and Django's share one format. Every handler redacts
# invitation tokens (/s/<token>/ -> /s/[token]): Django logs the path of 4xx responses,
# runserver and gunicorn every request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
_LOG_FILTERS = ["request_fields", "redact_tokens"]  # in this order: fields read the arguments
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_fields": {"()": "config.logging_filters.RequestFields"},
        "redact_tokens": {"()": "config.logging_filters.RedactSurveyTokens"},
        "client_errors": {"()": "config.logging_filters.ClientErrorsWithoutTraceback"},
    },
    "formatters": {
        "json": {"()": "config.logging_formatters.JsonFormatter"},
        "text": {"()": "config.logging_formatters.TextFormatter"},
        # runserver's own request lines, as Django prints them.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": _LOG_FILTERS,
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": _LOG_FILTERS,
        },
        # gunicorn's access log: one line per request, on standard output.
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": _LOG_FILTERS,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (console when DEBUG, mail_admins) replaced by the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 4xx (a 403 of PermissionDenied, say) in one line; a 5xx keeps its traceback.
        "django.request": {"handlers": [], "filters": ["client_errors"], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # gunicorn's start, stop and worker messages (INFO) whatever LOG_LEVEL says.
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

# --- FRICTION_* analysis settings (reports; owned by the analytics work, issue 3) ----------
# Status thresholds of a dimension, documented on the methodology page (docs/methodology.md).
# breakdown = |gap| >= GAP_POINTS and q < Q_VALUE and |rank-biserial r| >= EFFECT_SIZE;
# watch = q < Q_VALUE and one of the other two; divided = a side's rwg(j) < DIVIDED_RWG;
# too few to tell = not significant and the sizes or the gap's interval cannot rule out a gap.
FRICTION_BREAKDOWN_GAP_POINTS = env_number("FRICTION_BREAKDOWN_GAP_POINTS", "10", float)
FRICTION_BREAKDOWN_Q_VALUE = env_number("FRICTION_BREAKDOWN_Q_VALUE", "0.05", float)
FRICTION_BREAKDOWN_EFFECT_SIZE = env_number("FRICTION_BREAKDOWN_EFFECT_SIZE", "0.3", float)
FRICTION_DIVIDED_RWG = env_number("FRICTION_DIVIDED_RWG", "0.5", float)

# --- Email: invitations and reminders (issue 8) -------------------------------------------
# The console backend prints emails instead of sending them; EMAIL_BACKEND=smtp (or a dotted
# backend path) sends through EMAIL_HOST. Tests use the locmem backend (pytest-django).
EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "console").strip()
EMAIL_BACKEND = EMAIL_BACKENDS.get(EMAIL_BACKEND.lower(), EMAIL_BACKEND)
if "." not in EMAIL_BACKEND:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be {', '.join(EMAIL_BACKENDS)} or a dotted path to a backend, "
        f"got {EMAIL_BACKEND!r}."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_number("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_number("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "survey@localhost")

# --- Single sign-on: OpenID Connect, authorization code with PKCE (issue 16) ---------------
# mozilla-django-oidc does the protocol; accounts.oidc reads the provider's endpoints from
# <OIDC_ISSUER>/.well-known/openid-configuration. Off while OIDC_ISSUER is empty. The
# provider's groups named Leaders and Analysts map to ours, OIDC_STAFF_GROUP to "Round staff"
# (staff who run rounds); docs/configuration.md, "Single sign-on".
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "").strip()
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups").strip()
OIDC_STAFF_GROUP = os.environ.get("OIDC_STAFF_GROUP", "Staff").strip()
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile groups").strip()
OIDC_TIMEOUT = env_number("OIDC_TIMEOUT", "10", float)
if OIDC_ISSUER and not OIDC_ISSUER.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// URL, got {OIDC_ISSUER!r}.")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
OIDC_USE_PKCE = True
# Every OpenID provider must sign ID tokens with RS256 (OpenID Connect Core 15.1).
OIDC_RP_SIGN_ALGO = "RS256"
# client_secret_basic: the token endpoint's default client authentication (RFC 6749 2.3.1).
OIDC_TOKEN_USE_BASIC_AUTH = True
if OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("accounts.backends.OIDCBackend")
# --- Audit trail and retention (issue 16) ----------------------------------------------------
# Invitee addresses and audit entries of a round are purged this many days after it closed,
# entries of no round (sign-ins) this many days after they were written; drafts go when a
# round closes. `manage.py purge_expired` (daily; the task retention.purge_expired) does it.
RETENTION_DAYS = env_number("RETENTION_DAYS", "90")
if RETENTION_DAYS < 1:
    raise ImproperlyConfigured(f"RETENTION_DAYS must be at least 1, got {RETENTION_DAYS}.")
# --- Background mail: Celery worker, throttle, schedule (issue 16) ------------------------
# With REDIS_URL, the Send buttons queue a job that a Celery worker sends
# (`celery -A config worker`); without it, tasks run in-process, in the request, as before.
# The send task is idempotent (each invitee's email is claimed in the database first), so it
# is acknowledged late and requeued if its worker dies (survey/tasks.py).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# The worker logs through LOGGING (JSON lines in production) instead of its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery").strip() or "celery"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task unacknowledged this long is delivered again: longer than one send task runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
# A Send click fails in seconds, with a message, when Redis cannot be reached.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# `celery -A config beat`: resume send jobs whose worker died; scheduled reminders each hour
# (a round sends them only when its reminder_after_days is set, 09:00–18:00 its time).
CELERY_BEAT_SCHEDULE = {
    "sending-resume": {"task": "sending.resume", "schedule": 60.0},
    "reminders-scheduled": {"task": "sending.reminders_scheduled", "schedule": 3600.0},
    # Retention (RETENTION_DAYS): drafts of closed rounds, old addresses and audit entries.
    "retention-purge": {"task": "retention.purge_expired", "schedule": 24 * 3600.0},
}
# Emails per minute over all workers (0: no limit); match the mail server's quota.
EMAIL_RATE_PER_MINUTE = env_number("EMAIL_RATE_PER_MINUTE", "600")
# Invitees claimed per database transaction by a sending worker.
EMAIL_BATCH_SIZE = max(1, env_number("EMAIL_BATCH_SIZE", "50"))
# Seconds after which a claim of a dead worker is given back (unsent) or, if its email was
# being handed to the server, reported "unknown" and not sent again automatically.
EMAIL_CLAIM_TIMEOUT = max(1, env_number("EMAIL_CLAIM_TIMEOUT", "300"))
# Temporary mail server errors (4xx, connection lost): retried after EMAIL_RETRY_DELAY
# seconds, doubling each time, EMAIL_MAX_RETRIES times in a row before the job stops.
EMAIL_RETRY_DELAY = env_number("EMAIL_RETRY_DELAY", "30", float)
EMAIL_MAX_RETRIES = env_number("EMAIL_MAX_RETRIES", "8")
