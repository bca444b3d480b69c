"""Quartier settings: every value comes from the environment (see `.env.example`).

Defaults run the demo on SQLite with no server to install. `QUARTIER_ENV=production` turns on the
secure settings and refuses to start without the values that must not be guessed.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from quartier.lib.env import csp_origin, email_settings_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Small typed helpers that fail loudly on bad values: quartier/lib/env.py.


# --- environment ---------------------------------------------------------------------------------

QUARTIER_ENV = env_str("QUARTIER_ENV", "development")
if QUARTIER_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"QUARTIER_ENV must be development or production, not {QUARTIER_ENV!r}")
PRODUCTION = QUARTIER_ENV == "production"

VAR_DIR = Path(env_str("QUARTIER_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when QUARTIER_ENV=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _served_url() -> str:
    """Where `quartier serve` and `quartier demo` listen (HOST, PORT): the default public address."""
    host = env_str("HOST", "127.0.0.1").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:  # noqa: S104 — listening everywhere; the machine itself is the address
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{env_int('PORT', 8000)}"


# The one public address of the site: every link that leaves it (email, List-Unsubscribe, calendar
# files and feeds) starts with it. See docs/decisions.md.
if PRODUCTION and not env_str("SITE_URL").strip():
    raise ImproperlyConfigured(
        "SITE_URL is required when QUARTIER_ENV=production: links in email and calendars start with it"
    )
SITE_URL = (env_str("SITE_URL").strip() or _served_url()).rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured(
        f"SITE_URL must be an http(s) address such as https://quartier.example.org, not {SITE_URL!r}"
    )
SITE_NAME = env_str("SITE_NAME", "Quartier")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "quartier.accounts",
    "quartier.outreach",
    "quartier.reach",
    "quartier.organizing",
    "quartier.donations",
    "quartier.social",  # follows, blogs, the feed, messages, notifications, moderation
    "quartier.dashboard",  # dashboards and rollups: reads every app, imported by none
    "quartier.fieldwork",
    "quartier.integrity",  # reputation, detection of coordinated accounts, transparency (feeds social's queue)
    "quartier.api",  # OSDI and Mobilize-compatible APIs, webhooks, imports and exports: imported by no app
    "quartier.demo",  # the demo campaign (`load_demo`): imports the domain apps, never imported by them
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "quartier.donations.middleware.WebhookFastPathMiddleware",  # Stripe's webhook needs none of what follows
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quartier.lib.csp.CSPMiddleware",  # django-csp's, with the policy built once
    "quartier.lib.page_cache.AnonymousPageCacheMiddleware",  # before sessions, auth, CSRF: a hit needs none
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "quartier.accounts.middleware.AuthenticationMiddleware",  # Django's, the user's row from the cache
    "allauth.account.middleware.AccountMiddleware",
    "quartier.accounts.middleware.LanguageMiddleware",  # after auth (saved language); replaces LocaleMiddleware
    "quartier.accounts.middleware.StaffTwoFactorMiddleware",
    "quartier.accounts.middleware.MessageMiddleware",  # Django's, with the storage made when used
]

ROOT_URLCONF = "quartier.urls"
WSGI_APPLICATION = "quartier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "quartier" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quartier.accounts.context_processors.site",
            ],
            "builtins": [
                "quartier.accounts.templatetags.supporters",
                "quartier.accounts.templatetags.fields",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'quartier.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock up front so two
        # writers queue instead of failing with "database is locked" half-way through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too (not shared-cache memory), so concurrent threads lock like production does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions, background jobs ----------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Sessions read from Redis and written through to the database: a Redis restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
# Without Redis (the demo, one machine) the processes share a cache on disk, so that a stamp or an account
# bumped by one is seen by all (docs/decisions.md); the test suite, one process, keeps memory.
_FILE_CACHE = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache"),
               "OPTIONS": {"MAX_ENTRIES": 20_000}}  # fmt: skip
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if "pytest" in sys.modules
    else _FILE_CACHE
}
# Longest life of a cached page (`lib/page_cache.py`; fresh by stamps, so this only bounds how long new
# templates or a write outside the actions take to show). 0: no caching.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# A page is stored only if no stamp it depends on was bumped this long before its request began (clocks).
PAGE_CACHE_SETTLE_SECONDS = float(env_int("PAGE_CACHE_SETTLE_MS", 1000)) / 1000
# Longest life of a cached signed-in row (accounts/signed_in.py; re-read after any ORM write, so bounds raw SQL).
ACCOUNT_CACHE_SECONDS = env_int("ACCOUNT_CACHE_SECONDS", 300)

# Background jobs (docs/decisions.md). Broker: Redis (production), else QUARTIER_BROKER_URL (filesystem://,
# set by `quartier demo` and `serve --with-worker`: files under var/broker for a worker on this machine; any
# kombu URL). Neither: tasks run at once in the process that asks (the tests) and no periodic job runs.
BROKER_URL = REDIS_URL or env_str("QUARTIER_BROKER_URL")
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL
if urlsplit(CELERY_BROKER_URL).scheme == "filesystem":
    _queue_folder = Path(urlsplit(CELERY_BROKER_URL).path or VAR_DIR / "broker")
    CELERY_BROKER_TRANSPORT = "quartier.lib.broker:Transport"  # kombu's, with atomic writes
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_folder / "queue"),
        "data_folder_out": str(_queue_folder / "queue"),
        "control_folder": str(_queue_folder / "control"),
        "polling_interval": 0.5,
    }
    # Remote control needs replies through the broker; nothing uses it on one machine.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")  # when each job last ran
# The longest wait in seconds between two runs of any periodic job (0: each job's own interval). Only to
# watch the schedule at work quickly (the demo's test); a campaign leaves it at 0.
BEAT_MAX_INTERVAL = env_int("QUARTIER_BEAT_MAX_INTERVAL", 0)
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": min(every, BEAT_MAX_INTERVAL) if BEAT_MAX_INTERVAL > 0 else every}
    for name, task, every in [
        ("event-reminders", "quartier.organizing.tasks.send_due_reminders", 300.0),
        ("outreach-sweep", "quartier.outreach.tasks.sweep", 60.0),
        ("sandbox-monthly-gifts", "quartier.donations.tasks.renew_due_sandbox_gifts", 3600.0),
        ("donations-webhook-inbox", "quartier.donations.tasks.apply_inbox", 15.0),
        ("social-notification-emails", "quartier.social.tasks.send_notification_emails", 300.0),
        ("social-follow-removals-purge", "quartier.social.tasks.purge_follow_removals", 86400.0),
        ("dashboard-rollups", "quartier.dashboard.tasks.roll_up", 30.0),
    ]
}

# --- local groups and events ----------------------------------------------------------------------

# Hours before a shift at which attendees get a reminder (each sent once).
EVENT_REMINDER_HOURS = [int(hours) for hours in env_list("EVENT_REMINDER_HOURS", ["24", "2"])]
# A tile server the operator runs or pays for, e.g. https://tiles.example.org/{z}/{x}/{y}.png. Empty:
# maps draw a vendored outline of the world instead, so no page calls a third-party host by default.
MAP_TILES_URL = env_str("MAP_TILES_URL")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION")

# --- donations -----------------------------------------------------------------------------------

# The campaign's election law (quartier/donations/compliance.py, docs/compliance.md): us_federal,
# qc_provincial, ca_federal or none.
DONATIONS_JURISDICTION = env_str("DONATIONS_JURISDICTION", "none")
if DONATIONS_JURISDICTION not in {"us_federal", "qc_provincial", "ca_federal", "none"}:
    raise ImproperlyConfigured(
        f"DONATIONS_JURISDICTION must be us_federal, qc_provincial, ca_federal or none, not {DONATIONS_JURISDICTION!r}"
    )
# USD, CAD or EUR; empty: the jurisdiction's own currency (CAD when it has none).
DONATIONS_CURRENCY = env_str("DONATIONS_CURRENCY", "").upper()
if DONATIONS_CURRENCY not in {"", "USD", "CAD", "EUR"}:
    raise ImproperlyConfigured(f"DONATIONS_CURRENCY must be USD, CAD or EUR, not {DONATIONS_CURRENCY!r}")
# sandbox (offline, the demo and tests; an error of `check --deploy` in production, quartier.E101) or stripe.
DONATIONS_GATEWAY = env_str("DONATIONS_GATEWAY", "sandbox")
if DONATIONS_GATEWAY not in {"sandbox", "stripe"}:
    raise ImproperlyConfigured(f"DONATIONS_GATEWAY must be sandbox or stripe, not {DONATIONS_GATEWAY!r}")
# Preset amounts on the donation page, in whole units of the currency.
DONATIONS_PRESETS = [
    int(amount) for amount in env_list("DONATIONS_PRESETS", ["10", "25", "50", "100", "250"])
]
# Minutes a checkout holds its share of the donor's legal limit (the processor's page expires then too;
# Stripe's minimum is 30). Only signed-in verified donors hold it for everyone: other checkouts count
# for their own browser session only, and the limit is checked again when the payment arrives.
DONATIONS_RESERVATION_MINUTES = env_int("DONATIONS_RESERVATION_MINUTES", 60)
# The largest single gift the page accepts, in minor units (the legal limit may be lower).
DONATIONS_MAX_MINOR = env_int("DONATIONS_MAX_MINOR", 1_000_000)
# US federal: the cycle and the election gifts currently count towards (primary or general).
DONATIONS_ELECTION_CYCLE = env_int("DONATIONS_ELECTION_CYCLE", 2026)
DONATIONS_ELECTION = env_str("DONATIONS_ELECTION", "primary")
# Québec: the year of a general election (an extra $100 per party that year); 0 for none.
DONATIONS_ELECTION_YEAR = env_int("DONATIONS_ELECTION_YEAR", 0)
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
# Several secrets, comma-separated, while one is being rolled.
STRIPE_WEBHOOK_SECRETS = env_list("STRIPE_WEBHOOK_SECRETS", [])
# Only for tests and local fakes: where the stripe library sends its API calls (in production anything
# but https://api.stripe.com is an error of `check --deploy`, quartier.E102).
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
if DONATIONS_GATEWAY == "stripe" and PRODUCTION and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS):
    raise ImproperlyConfigured("DONATIONS_GATEWAY=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS")

# --- accounts -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.Supporter"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:personal"
# Who shared the link a new supporter signed up through (accounts may not import reach: named here).
SIGNUP_REFERRER_LOOKUP = "quartier.reach.queries.referrer_from"
# Every new account gets its share-link code at sign-up, so that showing a share link never writes (reach).
SIGNUP_REFERRAL_CODE = "quartier.reach.actions.referral_code_for"

ACCOUNT_ADAPTER = "quartier.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "quartier.accounts.forms.SignupForm"
# Supporters may sign in before verifying; anything public waits for it (`verified_supporter_required`).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_USER_DISPLAY = "quartier.accounts.adapter.user_display"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # Ours (`accounts.views.settings_photo`): each upload is decoded and re-encoded.
    "upload_photo": "3/m/user,20/h/user,60/h/ip",
}
# Password reset (and adding an address) answer the same whether or not an account exists (an unknown
# address gets a "no account here" email). Sign-up still says when an address is taken (the product asks
# for it; allauth checks uniqueness first with optional verification) and is rate-limited per client.
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- email ----------------------------------------------------------------------------------------

globals().update(email_settings_from_url(env_str("EMAIL_URL", "console:"), var_dir=VAR_DIR))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Quartier <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- outreach (issue 10) ----------------------------------------------------------------------------
# The campaign's postal address, printed at the foot of every bulk and personal email (CAN-SPAM,
# CASL). Required in production: `check --deploy` fails while it is empty (quartier.E105), and
# `quartier serve` refuses to start (quartier/accounts/checks.py).
CAMPAIGN_POSTAL_ADDRESS = env_str("CAMPAIGN_POSTAL_ADDRESS", "")
# How many people one supporter may email from their own pages in 24 hours.
OUTREACH_PERSONAL_DAILY_LIMIT = env_int("OUTREACH_PERSONAL_DAILY_LIMIT", 50)
# Emails a second across every worker, per mail backend (0: no limit; set it to the ESP's rate).
OUTREACH_MAX_PER_SECOND = env_int("OUTREACH_MAX_PER_SECOND", 0)
# After how long a claimed delivery whose worker went silent is queued again by the sweep.
OUTREACH_LEASE_SECONDS = env_int("OUTREACH_LEASE_SECONDS", 600)
# Ask people who tick a topic to confirm it from an email first (double opt-in).
OUTREACH_DOUBLE_OPT_IN = env_bool("OUTREACH_DOUBLE_OPT_IN", False)
# ESP feedback (anymail tracking webhooks at /outreach/esp/<esp>/tracking/): the basic-auth secret
# ("user:password") the ESP is given, and each ESP's own signing key.
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("MAILGUN_WEBHOOK_SIGNING_KEY"),
        "MAILGUN_API_KEY": env_str("MAILGUN_API_KEY"),
        "POSTMARK_SERVER_TOKEN": env_str("POSTMARK_SERVER_TOKEN"),
        "SENDGRID_API_KEY": env_str("SENDGRID_API_KEY"),
        "BREVO_API_KEY": env_str("BREVO_API_KEY"),
    }.items()
    if value
}
# Text messages: `sandbox` (offline, nothing leaves the machine; an error in production, quartier.E103)
# or `twilio`.
SMS_GATEWAY = env_str("SMS_GATEWAY", "sandbox")
if SMS_GATEWAY not in {"sandbox", "twilio"}:
    raise ImproperlyConfigured(f"SMS_GATEWAY must be sandbox or twilio, not {SMS_GATEWAY!r}")
SMS_SANDBOX_SECRET = env_str("SMS_SANDBOX_SECRET", "" if PRODUCTION else "sandbox-secret")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com")
# No campaign text between these local hours (the recipient's time zone): 21:00 to 09:00 by default.
SMS_QUIET_HOURS = (env_int("SMS_QUIET_FROM", 21), env_int("SMS_QUIET_UNTIL", 9))

# --- internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "quartier" / "locale"]
# Dates and times in words, one format per language (quartier/formats/en, fr).
FORMAT_MODULE_PATH = ["quartier.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "America/Toronto")
USE_TZ = True
QUARTIER_COUNTRIES = env_list("QUARTIER_COUNTRIES", ["CA", "FR", "US"])

# --- static files and uploads ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "quartier" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Outside production the app serves uploads; in production the proxy or a storage backend does (SERVE_MEDIA).
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# The largest contact file an organiser may import (a million contacts take about 120 MB).
FIELDWORK_IMPORT_MAX_BYTES = env_int("FIELDWORK_IMPORT_MAX_BYTES", 500 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "quartier.fieldwork.uploads.SizeLimitUploadHandler",  # a body above that limit is never stored
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files nobody may fetch by URL (contact imports while they run): never under MEDIA_ROOT, never served.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private"))).resolve()
if MEDIA_ROOT.resolve() in (PRIVATE_STORAGE_ROOT, *PRIVATE_STORAGE_ROOT.parents):
    raise ImproperlyConfigured(
        "PRIVATE_STORAGE_ROOT must not be inside MEDIA_ROOT: the proxy serves MEDIA_ROOT."
    )
# "Get a list near me" (allauth's rate syntax): how often one volunteer may take a walk list.
ACCOUNT_RATE_LIMITS["fieldwork_claim_list"] = env_str("FIELDWORK_CLAIM_RATE", "3/m/user,10/d/user")
# The feed copies a post into its author's followers' feeds below this many followers; above, they
# read it from the author's own index (docs/decisions.md, "The feed: fan-out on write").
SOCIAL_FANOUT_MAX_FOLLOWERS = env_int("SOCIAL_FANOUT_MAX_FOLLOWERS", 5000)
# Days an ended follow is remembered (ids only, `FollowRemoval`: reach's graph snapshot catches up from them).
SOCIAL_FOLLOW_REMOVALS_DAYS = env_int("SOCIAL_FOLLOW_REMOVALS_DAYS", 30)
# Walk lists nobody worked on go back to the pool after their campaign's `list_return_hours`; contact
# files uploaded but never mapped are deleted.
CELERY_BEAT_SCHEDULE["fieldwork-sweep"] = {"task": "quartier.fieldwork.tasks.sweep", "schedule": 900.0}

# --- security -------------------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # The operator's own tile server, when there is one, is the only other origin a page may load.
        "img-src": [
            SELF,
            "data:",
            *([_tiles_origin] if (_tiles_origin := csp_origin(MAP_TILES_URL)) else []),
        ],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is an operator's decision, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Addresses or networks of the reverse proxies in front of the app (`10.0.0.5`, `10.0.0.0/8`): the
# client's address is read from `X-Forwarded-For` only when the request comes from one of them (rate
# limits, consent records). Empty: the peer's own address, and the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}"
        ) from None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# Settings of word of mouth, integrity and the API, a module each (this file stays under 500 lines).
from quartier.settings_api import *  # noqa: E402, F403
from quartier.settings_integrity import *  # noqa: E402, F403
from quartier.settings_reach import *  # noqa: E402, F403
