"""NDX settings: one module, driven by environment variables with safe defaults.

Development (the default) needs no servers: SQLite and tasks run in-process.
`NDX_ENV=production` requires SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("NDX_ENV", "development").strip().lower()
PRODUCTION = ENV == "production"
TESTING = os.environ.get("NDX_TESTING") == "1"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


if PRODUCTION:
    missing = [
        name
        for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
        if not os.environ.get(name, "").strip()
    ]
    if missing:
        raise ImproperlyConfigured(
            "NDX_ENV=production refuses to start without: " + ", ".join(missing)
        )
    if len(os.environ["SECRET_KEY"]) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")

SECRET_KEY = os.environ.get("SECRET_KEY") or "ndx-insecure-development-key-" + "x" * 30
DEBUG = not PRODUCTION and os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "ndx",
    "ndx.audit",
    "ndx.accounts",
    "ndx.notifications",
    "catalogue",
    "suppliers",
    "contracts",
    "buying",
    "reviews",
    "matching",
    "market",
    "reporting",
    "guidance",
    "homes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "ndx.accounts.middleware.IdleTimeoutMiddleware",
    "ndx.accounts.middleware.StaffMFAMiddleware",
    "ndx.accounts.middleware.SignOnFormActionMiddleware",
]

ROOT_URLCONF = "ndx.urls"
WSGI_APPLICATION = "ndx.wsgi.application"

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
                "ndx.context_processors.navigation",
                "ndx.context_processors.site_chrome",
            ],
        },
    },
]

# Database: DATABASE_URL accepts sqlite:///path and postgres://...
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# A read replica for search reads (ndx/db_router.py). Not under tests: they make their own
# replica connection to the test database where they need one (tests/test_db_router.py).
if os.environ.get("DATABASE_REPLICA_URL") and not TESTING:
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASE_ROUTERS = ["ndx.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis turns on Celery with a real broker; without it tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {
    # Every minute: send tasks kept in the outbox while the broker was down (ndx/outbox.py).
    "ndx-flush-outbox": {"task": "ndx.tasks.flush_outbox", "schedule": 60},
    # Daily; idempotent (each contract is reminded once), so a missed or repeated run is harmless.
    "reviews-remind-buyers": {"task": "reviews.tasks.remind_buyers_to_review", "schedule": 86400},
    # Daily: accounts suspended or unused for NDX_ACCOUNT_RETENTION_DAYS are pseudonymised.
    "accounts-pseudonymise-expired": {
        "task": "ndx.accounts.tasks.pseudonymise_expired_accounts",
        "schedule": 86400,
    },
    # Hourly; each run computes new report snapshots and keeps the last good one if it fails.
    "reporting-refresh-snapshots": {
        "task": "reporting.tasks.refresh_report_snapshots",
        "schedule": 3600,
    },
    # Daily and idempotent (contracts/tasks.py): contracts start and end on their dates, overdue
    # performance reports and renewals (90 and 30 days) are reminded once each.
    "contracts-move-daily": {"task": "contracts.tasks.move_contracts_daily", "schedule": 86400},
    "contracts-remind-reports": {
        "task": "contracts.tasks.remind_overdue_reports",
        "schedule": 86400,
    },
    "contracts-remind-renewals": {"task": "contracts.tasks.remind_renewals", "schedule": 86400},
    # Hourly: drop matching change-log rows every process has already seen (matching/services).
    "matching-prune-index-changes": {
        "task": "matching.tasks.prune_index_changes",
        "schedule": 3600,
    },
    # Daily at 7am: one summary email per person who chose the daily digest (idempotent:
    # a notification is in one digest at most).
    # Every 10 minutes: rank the directory against requirements submitted and competitions
    # opened since (each need once), then send the daily and weekly alert digests that are due.
    "market-scan-new-needs": {"task": "market.tasks.scan_new_needs", "schedule": 600},
    "market-alert-digests": {"task": "market.tasks.send_alert_digests", "schedule": 3600},
    # Daily: followed saved searches (new or changed offers) and engagements past closing.
    "market-followed-searches": {
        "task": "market.tasks.send_followed_search_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    "market-close-due-engagements": {
        "task": "market.tasks.close_due_engagements",
        "schedule": crontab(hour=0, minute=5),
    },
    # Hourly; idempotent (one reminder an invitation): a deadline 48 hours away.
    "buying-remind-competition-deadlines": {
        "task": "buying.tasks.remind_competition_deadlines",
        "schedule": 3600,
    },
    # Daily at 8am: staff hear of the queue items past their service level (one a day).
    "homes-notify-staff-of-decisions-due": {
        "task": "homes.tasks.notify_staff_of_decisions_due",
        "schedule": crontab(hour=8, minute=0),
    },
    "notifications-daily-digest": {
        "task": "ndx.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, pages still serve (ndx/cache.py).
            "BACKEND": "ndx.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: email only, verified, no usernames.
ACCOUNT_ADAPTER = "ndx.accounts.adapter.AccountAdapter"
# A signed-in person may open the sign-in page to sign in as someone else (staff reaching the
# admin from a buyer's session, say); the adapter then starts a fresh session for them.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "ndx.accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[National Digital Exchange] "
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}

# Our own rate limits (ndx/ratelimit.py): per signed-in user, else per IP address.
NDX_RATE_LIMITS = {
    "search": os.environ.get("NDX_RATE_SEARCH", "120/m"),
    "reviews": os.environ.get("NDX_RATE_REVIEWS", "30/h"),
    "responses": os.environ.get("NDX_RATE_RESPONSES", "60/h"),
}
# Behind a proxy that sets X-Forwarded-For (gunicorn behind a load balancer), trust it: the
# client address is the entry NDX_TRUST_PROXY_HOPS from the right (1: one load balancer), never
# the left-most, which the client writes (ndx.ratelimit.client_address; allauth uses it too).
NDX_TRUST_PROXY = os.environ.get("NDX_TRUST_PROXY", "") == "1"
NDX_TRUST_PROXY_HOPS = int(os.environ.get("NDX_TRUST_PROXY_HOPS", "1"))
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "homes:home"  # each role lands on its own work
# Sessions end after this long unused (ndx.accounts.middleware.IdleTimeoutMiddleware): staff
# 30 minutes, everyone else 8 hours. Sensitive actions ask for the password again if the last
# sign-in is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (allauth, 5 minutes).
NDX_IDLE_TIMEOUT_SECONDS = int(os.environ.get("NDX_IDLE_TIMEOUT_SECONDS", str(8 * 3600)))
NDX_IDLE_TIMEOUT_STAFF_SECONDS = int(os.environ.get("NDX_IDLE_TIMEOUT_STAFF_SECONDS", "1800"))
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("ACCOUNT_REAUTHENTICATION_TIMEOUT", "300"))
# allauth's usersessions: "Your sessions" and "sign out of all other sessions".
USERSESSIONS_TRACK_ACTIVITY = False
# Personal data: accounts suspended, or not signed in to, for this long are pseudonymised
# ("Former user N") by a daily task. The privacy page states it.
NDX_ACCOUNT_RETENTION_DAYS = int(os.environ.get("NDX_ACCOUNT_RETENTION_DAYS", "730"))
# Single sign-on per buyer organisation (allauth's openid_connect provider; staff set each one
# up on /staff/sign-on/). The provider vouches for the address; ndx.accounts.adapter checks it
# is on the organisation's approved domains before anyone is signed in or joins.
SOCIALACCOUNT_ADAPTER = "ndx.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "National Digital Exchange"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
# The public address of the service, for links in emails (no trailing slash).
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "National Digital Exchange <noreply@ndx.example>"
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# Matching: where index builds are stored (shared by web and worker processes in
# production: mount one volume for both), whether to use the sentence-embedding model
# (needs `pip install .[embeddings]`), and how often a web process looks for a newer index.
MATCHING_INDEX_DIR = Path(os.environ.get("NDX_INDEX_DIR", BASE_DIR / "var" / "matching"))
MATCHING_EMBEDDINGS = os.environ.get("NDX_MATCHING_EMBEDDINGS", "") == "1"
MATCHING_REFRESH_SECONDS = float(os.environ.get("NDX_MATCHING_REFRESH_SECONDS", "1"))
# Publish each index build in the database for nodes that share no disk with the worker
# (matching/publication.py). Set on the worker of a deployment with more than one machine.
MATCHING_PUBLISH_INDEX = os.environ.get("NDX_MATCHING_PUBLISH", "") == "1"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): only our own scripts, styles, images and fonts; the one
# inline script in templates/base.html carries the per-request nonce. No inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "object-src": [CSP_NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

NDX_SERVICE_NAME = "National Digital Exchange"
# Market alerts: the matcher's score (0 to 1) a directory member needs to be told about a need,
# and how long the consent-withdrawal link in an email keeps working.
MARKET_ALERT_THRESHOLD = float(os.environ.get("MARKET_ALERT_THRESHOLD", "0.2"))
# At most this many members are told about one need (the best matches).
MARKET_ALERT_LIMIT = int(os.environ.get("MARKET_ALERT_LIMIT", "250"))
MARKET_WITHDRAW_LINK_DAYS = int(os.environ.get("MARKET_WITHDRAW_LINK_DAYS", "365"))

# /.well-known/security.txt (RFC 9116). Contacts: comma-separated mailto: or https: URIs.
NDX_SECURITY_CONTACTS = _env_list(
    "NDX_SECURITY_CONTACTS", "mailto:security@ndx.example,https://ndx.example/security"
)
NDX_SECURITY_POLICY = os.environ.get(
    "NDX_SECURITY_POLICY", "https://www.gov.uk/help/report-vulnerability"
)
NDX_SECURITY_LANGUAGES = os.environ.get("NDX_SECURITY_LANGUAGES", "en")
# A fixed expiry (e.g. 2027-06-30T00:00:00Z) or, if unset, this many days from today.
NDX_SECURITY_TXT_EXPIRES = os.environ.get("NDX_SECURITY_TXT_EXPIRES", "").strip()
NDX_SECURITY_TXT_DAYS = int(os.environ.get("NDX_SECURITY_TXT_DAYS", "180"))

# Service levels of the staff queues: a decision is due this many working days (England and
# Wales) after an item arrives (ndx/working_days.py). Suppliers are shown the due date; items
# past it are flagged for staff.
NDX_SERVICE_LEVELS = {
    "offers": int(os.environ.get("NDX_SERVICE_LEVEL_OFFERS", "5")),
    "applications": int(os.environ.get("NDX_SERVICE_LEVEL_APPLICATIONS", "10")),
    "reviews": int(os.environ.get("NDX_SERVICE_LEVEL_REVIEWS", "3")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Development serves static files straight from STATICFILES_DIRS; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
