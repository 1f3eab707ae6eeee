"""Settings for every environment. All configuration is read here, from the environment.

Production differs from a developer's machine only by environment variables (see README, "Configuration").
With no configuration at all the portal runs as the *embedded default*: SQLite in the project folder, Celery
tasks run in-process after the transaction commits, local-memory cache, messages kept in the database outbox.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core -------------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105
# Key rotation: the new key goes in DJANGO_SECRET_KEY, the old one in DJANGO_SECRET_KEY_FALLBACKS, so sessions,
# printed QR codes and slips signed with it stay valid (https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key-fallbacks).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
# Fernet keys that seal secrets stored in the database (apps.notifications.crypto): the first seals, all open.
# Unset = keys derived from SECRET_KEY and its fallbacks. New key: Fernet.generate_key(); see README.
DATA_ENCRYPTION_KEYS = env.list("DATA_ENCRYPTION_KEYS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (page left open for hours, cookies cleared) gets a Vietnamese page with the way back.
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"
# Public address of the portal, used in QR codes, messages and links that leave the site.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "apps.core",
    "apps.units",
    "apps.accounts",
    "apps.procedures",
    "apps.fees",
    "apps.appointments",
    "apps.notifications",
    "apps.news",
    "apps.reports",
    "apps.filings",
    "apps.declarations",
    "apps.exports",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.backoffice",
    "apps.privacy",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer before the HTTPS redirect and the host check (apps/core/health.py).
    "apps.core.middleware.HealthCheckMiddleware",
    # A request id for every log line, one log line and one latency sample per request (apps/core/logging.py).
    "apps.core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "apps.core.middleware.ClientMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed in the app (no proxy needed); after WhiteNoise, which serves its own compressed files.
    "apps.core.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@host:5432/portal; unset = SQLite file in the project folder.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take SQLite's write lock when a transaction starts, so two bookings never
    # interleave their capacity check and insert (SQLite has no row locks). WAL lets readers go on meanwhile.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Keep the connection between requests (as for PostgreSQL below): opening one and running the PRAGMAs cost more
    # than a cached page's whole rendering (seen profiling the slot picker under gunicorn).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Booking's hand-written statements are prepared on the server once per connection (apps.core.prepared.
    # statement_cursor); the ORM's queries are bound in the client and never prepared, whatever this says. Set
    # DATABASE_PREPARE_THRESHOLD= (empty) behind a pooler in transaction mode that does not keep prepared statements.
    _threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="1")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = int(_threshold) if _threshold else None

# --- Redis: cache and Celery broker -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
            # A Redis that does not answer costs a page at most this long; it then renders from the database.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

# Celery (https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html), read with namespace CELERY.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker, tasks run in-process; callers enqueue them with delay_on_commit, so "in-process" still
# means "after the transaction commits". Failures are recorded by the task itself, never raised into a view.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# A worker that dies mid-task leaves the message unacknowledged, so another worker picks it up again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat log through LOGGING below (JSON lines with LOG_FORMAT=json), not Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict = {}
# Several beats (one per node) may run: a Redis lock lets exactly one of them schedule (apps/core/beat.py).
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "apps.core.beat:SingleBeatScheduler"

# --- Notifications (apps.notifications) ------------------------------------------------------------------
# Channels are used when their credentials are set; with none set, messages go to the database outbox
# (/dev/outbox/ with DEBUG on). Fallback order per kind below. See README "Notifications".
# Zalo ZNS by phone and the OA token refresh (https://developers.zalo.me/docs/zalo-notification-service/).
ZALO_APP_ID = env.str("ZALO_APP_ID", default="")
ZALO_APP_SECRET = env.str("ZALO_APP_SECRET", default="")
# Only for the very first refresh: afterwards the rotating pair lives (sealed) in the database.
ZALO_REFRESH_TOKEN = env.str("ZALO_REFRESH_TOKEN", default="")
ZALO_OAUTH_TOKEN_URL = env.str("ZALO_OAUTH_TOKEN_URL", default="https://oauth.zaloapp.com/v4/oa/access_token")
ZALO_ZNS_URL = env.str("ZALO_ZNS_URL", default="https://business.openapi.zalo.me/message/template")
ZALO_ZNS_DEVELOPMENT_MODE = env.bool("ZALO_ZNS_DEVELOPMENT_MODE", default=False)
# OA API host (consultation messages to followers, apps.notifications.zalo_api); tests point it at a loopback fake.
ZALO_OA_API_URL = env.str("ZALO_OA_API_URL", default="https://openapi.zalo.me")
ZALO_TOKEN_REFRESH_BEFORE_SECONDS = env.int("ZALO_TOKEN_REFRESH_BEFORE_SECONDS", default=5 * 3600)
# SMS: a pluggable backend (apps.notifications.channels.SmsBackend); eSMS.vn brandname SMS by default.
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.notifications.channels.EsmsBackend")
SMS_UNICODE = env.bool("SMS_UNICODE", default=False)
ESMS_API_URL = env.str(
    "ESMS_API_URL", default="https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
)
ESMS_API_KEY = env.str("ESMS_API_KEY", default="")
ESMS_SECRET_KEY = env.str("ESMS_SECRET_KEY", default="")
ESMS_BRANDNAME = env.str("ESMS_BRANDNAME", default="")
ESMS_SANDBOX = env.bool("ESMS_SANDBOX", default=False)
# E-mail through Django's SMTP backend when EMAIL_HOST is set; otherwise nothing leaves the machine.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST_USER))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
NOTIFICATIONS_EMAIL_DOMAIN = env.str("NOTIFICATIONS_EMAIL_DOMAIN", default="cccd-portal.local")
NOTIFICATIONS_HTTP_TIMEOUT = env.int("NOTIFICATIONS_HTTP_TIMEOUT", default=10)
NOTIFICATIONS_FALLBACK_DEFAULT = ["zns", "sms", "email"]
NOTIFICATIONS_FALLBACK: dict[str, list[str]] = {
    "otp": ["zns", "sms"],
    # A reply to a citizen who wrote to the OA: in the chat first, then by phone when they gave one.
    "report_reply": ["zalo_oa", "zns", "sms", "email"],
    "contact_request": ["zalo_oa"],
}
# Temporary failures on one channel before trying the next one (a code is useless after 5 minutes).
NOTIFICATIONS_FALLBACK_AFTER_TRANSIENT_DEFAULT = 3
NOTIFICATIONS_FALLBACK_AFTER_TRANSIENT = {"otp": 1}
# Retries: exponential backoff with jitter from 30 s up to 30 min, for 4 hours (GOV.UK Notify retries SMS and
# e-mail for about 4 hours before a technical failure); then the row is a technical failure.
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=1800)
NOTIFICATIONS_RETRY_WINDOW_SECONDS = env.int("NOTIFICATIONS_RETRY_WINDOW_SECONDS", default=4 * 3600)
# A row "sending" for longer than this lost its worker (longer than the task hard time limit).
NOTIFICATIONS_SENDING_LEASE_SECONDS = env.int(
    "NOTIFICATIONS_SENDING_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30
)
# The sweep hands a queued row over again when nothing happened to it for this long.
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = env.int("NOTIFICATIONS_REQUEUE_AFTER_SECONDS", default=120)
# Day-before reminders go out between these local hours.
NOTIFICATIONS_REMINDER_HOURS = (
    env.int("NOTIFICATIONS_REMINDER_FROM_HOUR", default=8),
    env.int("NOTIFICATIONS_REMINDER_UNTIL_HOUR", default=20),
)
# Officers' "Resend" (notifications admin, permission notifications.resend_notification): bounded, audited.
NOTIFICATIONS_RESEND_MAX_PER_MESSAGE = env.int("NOTIFICATIONS_RESEND_MAX_PER_MESSAGE", default=2)
NOTIFICATIONS_RESEND_MAX_PER_ACTION = env.int("NOTIFICATIONS_RESEND_MAX_PER_ACTION", default=20)
NOTIFICATIONS_RESEND_PER_OFFICER_PER_HOUR = env.int("NOTIFICATIONS_RESEND_PER_OFFICER_PER_HOUR", default=50)
NOTIFICATIONS_OTP_TTL_SECONDS = 300
NOTIFICATIONS_OTP_MAX_TRIES = 5
NOTIFICATIONS_OTP_RESEND_SECONDS = 60
NOTIFICATIONS_OTP_PER_PHONE_PER_HOUR = 5
# Per client address: a budget shared by everyone behind one address (mobile carriers' NAT), so it is generous,
# and a browser that has confirmed a code before is not counted against it (only against its own session budget).
NOTIFICATIONS_OTP_PER_CLIENT_PER_HOUR = env.int("NOTIFICATIONS_OTP_PER_CLIENT_PER_HOUR", default=20)
NOTIFICATIONS_OTP_PER_SESSION_PER_HOUR = env.int("NOTIFICATIONS_OTP_PER_SESSION_PER_HOUR", default=6)
# Ceilings on paid messages (docs/threat-model.md): messages of one kind per day, the whole portal together (a
# ceiling reached refuses new codes with "try again tomorrow" and keeps other messages unsent, status "capped");
# moves and cancellations messaged per booking per day. Officers see every ceiling reached on the dashboard.
NOTIFICATIONS_DAILY_CAP_DEFAULT = env.int("NOTIFICATIONS_DAILY_CAP_DEFAULT", default=20000)
NOTIFICATIONS_DAILY_CAP: dict[str, int] = {
    kind: int(value) for kind, value in env.dict("NOTIFICATIONS_DAILY_CAP", default={"otp": "10000"}).items()
}
NOTIFICATIONS_PER_BOOKING_PER_DAY = env.int("NOTIFICATIONS_PER_BOOKING_PER_DAY", default=4)
NOTIFICATIONS_CHECK_PER_CLIENT = (10, 600)  # "is this message from us?" lookups per client per 10 minutes
# A broker that is down must not hold a citizen's request for long: the sweep sends the message later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE.update(
    {
        "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
        "notifications-reminders": {"task": "notifications.send_reminders", "schedule": 15 * 60.0},
        "notifications-zalo-token": {"task": "notifications.refresh_zalo_token", "schedule": 3600.0},
    }
)

# --- Authentication ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "admin:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-first date input for both languages (Django's "vi" locale has no input formats).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes (nginx serves it as /static/). A setting so that two servers built from one checkout,
# e.g. a test run beside CI's smoke test, do not write into each other's folder.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files (apps/core/storage.py): "default" holds public media (news images, served at MEDIA_URL by the app,
# cacheable by nginx), "private" holds evidence (report photos, shown to officers through the admin only). With
# S3_BUCKET set, both live in that S3-compatible bucket (django-storages; required with several web nodes).
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
PUBLIC_MEDIA_PREFIXES = ("news/",)
S3_BUCKET = env.str("S3_BUCKET", default="")
_S3_OPTIONS = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
    "region_name": env.str("S3_REGION", default="") or None,
    "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
    "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
    "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
    "default_acl": "private",
    "file_overwrite": False,
    "querystring_auth": True,
    "querystring_expire": 300,
}
STORAGES = {
    "default": (
        {"BACKEND": "apps.core.storage_s3.PublicMediaS3Storage", "OPTIONS": {**_S3_OPTIONS, "location": "media"}}
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "private": (
        {"BACKEND": "apps.core.storage_s3.PrivateS3Storage", "OPTIONS": {**_S3_OPTIONS, "location": "private"}}
        if S3_BUCKET
        else {"BACKEND": "apps.core.storage.PrivateFileSystemStorage"}
    ),
    # Officers' exports hold personal data: kept outside MEDIA_ROOT (never served as media), downloaded only
    # through the admin by the officer who asked. With S3_BUCKET: the bucket's private exports/ prefix.
    "exports": (
        {"BACKEND": "apps.core.storage_s3.PrivateS3Storage", "OPTIONS": {**_S3_OPTIONS, "location": "exports"}}
        if S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": env.str("EXPORTS_ROOT", default=str(BASE_DIR / "var" / "exports"))},
        }
    ),
    # Hashed, compressed (gzip + brotli) files, served by WhiteNoise with far-future cache headers.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Forms ------------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "VN"
PHONENUMBER_DB_FORMAT = "E164"

# --- Security ---------------------------------------------------------------------------------------------
# HTTPS settings are on whenever DEBUG is off, unless the operator says the portal is served over plain HTTP
# (a test bench on loopback). Behind a TLS-terminating proxy, set DJANGO_BEHIND_PROXY=true.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 7 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Portal -----------------------------------------------------------------------------------------------
# The unit that runs the portal (its name and hotline on every page, the default queue for reports): a unit's slug.
# Unset: the first active district police, else the first active city/province unit.
PORTAL_HOME_UNIT = env.str("PORTAL_HOME_UNIT", default="")
# Place names citizens of the home unit know, shown as examples next to address fields (an old ward, a street);
# translated texts hold only placeholders for them.
PORTAL_ADDRESS_EXAMPLES = env.list("PORTAL_ADDRESS_EXAMPLES", default=["Phường 9, Quận 4", "Khánh Hội"])
# Emergency number shown on every page.
EMERGENCY_NUMBER = env.str("EMERGENCY_NUMBER", default="113")

# Lookup (/tra-cuu/): wrong phone numbers / dates of birth per code, whatever the address, before the code's
# lookup is locked, and for how long.
LOOKUP_CODE_MAX_FAILURES = env.int("LOOKUP_CODE_MAX_FAILURES", default=5)
LOOKUP_CODE_LOCK_MINUTES = env.int("LOOKUP_CODE_LOCK_MINUTES", default=30)

# The done page's address (sent by SMS/Zalo) and its slip, QR and .ics stop working this many days after the visit.
RECEIPT_LINK_DAYS_AFTER_VISIT = env.int("RECEIPT_LINK_DAYS_AFTER_VISIT", default=7)

# Families (issue 12.13): a phone confirmed with a code in a browser session covers that session's next filings
# (a parent filing for each child) for this many minutes: no second code. Another number or browser needs its own.
FILINGS_FAMILY_CONFIRMATION_MINUTES = env.int("FILINGS_FAMILY_CONFIRMATION_MINUTES", default=30)
# A draft's resume link opened in another browser shows nothing until the citizen proves it is theirs (a code sent
# to the draft's mobile number, or its date of birth); this many wrong answers close the link to other browsers
# for the rest of the draft's life (its own browser continues).
FILINGS_RESUME_MAX_FAILURES = env.int("FILINGS_RESUME_MAX_FAILURES", default=5)

# --- Appointments (apps.appointments) -------------------------------------------------------------------------
# How long a picked time is kept for a citizen who is finishing their form.
APPOINTMENT_HOLD_MINUTES = env.int("APPOINTMENT_HOLD_MINUTES", default=15)
# Anti-hoarding: upcoming bookings (and live holds) one phone number may have at once, all procedures together.
# Six: a parent booking for themselves and four children from one phone (issue 12.13). Each booking needs the phone
# confirmed with a code, and holds have their own, smaller budget (APPOINTMENT_HOLDS_PER_PHONE).
APPOINTMENT_MAX_ACTIVE_PER_PHONE = env.int("APPOINTMENT_MAX_ACTIVE_PER_PHONE", default=6)
# The hold budget (docs/threat-model.md): a hold keeps its place from others only within each of these. Beyond
# them the citizen still continues with the time picked, and booking (after the phone is confirmed) re-checks.
# Share of a slot's places unconfirmed holds may keep (rounded down: the last place is always left for confirmed
# bookings).
APPOINTMENT_HOLD_SHARE = env.float("APPOINTMENT_HOLD_SHARE", default=0.5)
# Live holds that keep a place, per client address (behind one NAT: a budget, never a refusal) and per phone.
APPOINTMENT_HOLDS_PER_CLIENT = env.int("APPOINTMENT_HOLDS_PER_CLIENT", default=10)
APPOINTMENT_HOLDS_PER_PHONE = env.int("APPOINTMENT_HOLDS_PER_PHONE", default=2)
# Longest wait for a slot's row lock before the citizen is told "busy, try again" (PostgreSQL lock_timeout).
APPOINTMENT_LOCK_TIMEOUT_SECONDS = env.float("APPOINTMENT_LOCK_TIMEOUT_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["appointments-expire-holds"] = {
    "task": "apps.appointments.tasks.expire_holds",
    "schedule": 300.0,
}

# --- News, citizens' reports and the Zalo OA webhook (apps.news, apps.reports) -----------------------------
NEWS_COVER_MAX_BYTES = 5 * 1024 * 1024
REPORTS_PHOTO_MAX_BYTES = 5 * 1024 * 1024
REPORTS_PHOTO_MAX_COUNT = 3
REPORTS_PHOTO_MAX_WIDTH = 1600
# Report photos are evidence: kept in the private storage (this folder, outside MEDIA_ROOT, unless S3_BUCKET is set)
# and shown only to officers through the admin.
REPORTS_PHOTO_ROOT = Path(env.str("REPORTS_PHOTO_ROOT", default=str(BASE_DIR / "var" / "report-photos")))
# Whole report request (form + photos); larger requests are refused with a message next to the photos.
REPORTS_MAX_REQUEST_BYTES = REPORTS_PHOTO_MAX_COUNT * REPORTS_PHOTO_MAX_BYTES + 256 * 1024
# (attempts, seconds) per client, counted in the cache.
REPORTS_RATE_LIMIT = (5, 3600)
REPORTS_LOOKUP_RATE_LIMIT = (20, 600)
# Hours to answer a report, per category; overdue reports are highlighted in admin.
REPORTS_TARGET_HOURS = {"crime": 24, "security": 48, "feedback": 120, "other": 48}
# Zalo OA webhook (/zalo/webhook/): ZALO_APP_ID (Notifications, above) and the OA secret key from the app's
# webhook settings page (not the app secret).
ZALO_OA_SECRET_KEY = env.str("ZALO_OA_SECRET_KEY", default="")
# Events whose signed timestamp is further than this from now are refused (replays); bodies larger than this are
# refused before they are read or parsed.
ZALO_WEBHOOK_MAX_AGE_SECONDS = env.int("ZALO_WEBHOOK_MAX_AGE_SECONDS", default=300)
ZALO_WEBHOOK_MAX_BYTES = env.int("ZALO_WEBHOOK_MAX_BYTES", default=64 * 1024)
# Chat messages from one follower less than this many minutes apart form one conversation (one report).
ZALO_CONVERSATION_GAP_MINUTES = env.int("ZALO_CONVERSATION_GAP_MINUTES", default=240)
# Flood bounds per follower: new conversations (reports) per day; beyond, messages join the latest one. Entries
# kept per conversation and images copied per conversation; beyond, messages are only counted.
ZALO_NEW_CONVERSATIONS_PER_DAY = env.int("ZALO_NEW_CONVERSATIONS_PER_DAY", default=5)
ZALO_CONVERSATION_MAX_ENTRIES = env.int("ZALO_CONVERSATION_MAX_ENTRIES", default=200)
ZALO_CONVERSATION_MAX_IMAGES = env.int("ZALO_CONVERSATION_MAX_IMAGES", default=20)
# Images sent in the chat are copied from Zalo's servers to private storage; only https URLs on these hosts
# (and their subdomains) are fetched. [U] the hosts Zalo serves chat media from.
ZALO_MEDIA_HOSTS = env.list("ZALO_MEDIA_HOSTS", default=["zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com"])
# Tests serve media from a loopback HTTP server; production fetches https only.
ZALO_MEDIA_ALLOW_HTTP = False
ZALO_MEDIA_MAX_BYTES = env.int("ZALO_MEDIA_MAX_BYTES", default=10 * 1024 * 1024)
# --- Exports (apps.exports) --------------------------------------------------------------------------------
# The CSV separator: ";" is the list separator of Vietnamese regional settings, so Excel splits the columns.
EXPORTS_CSV_DELIMITER = env.str("EXPORTS_CSV_DELIMITER", default=";")
# Export files hold personal data: deleted this many hours after they were asked for.
EXPORTS_KEEP_HOURS = env.int("EXPORTS_KEEP_HOURS", default=24)
CELERY_BEAT_SCHEDULE["exports-purge-expired"] = {"task": "exports.purge_expired", "schedule": 3600.0}

# --- Back office (apps.backoffice): admin sign-in protection with django-axes ------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Wrong passwords are counted per user name *and* address, so a guesser cannot lock a whole station (officers
# share one address) nor an officer everywhere; a successful sign-in clears the count.
AUTHENTICATION_BACKENDS = [
    "apps.backoffice.auth.LoginAttemptBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Second factor (TOTP, django-otp) for officers whose roles see personal data; see apps/backoffice/signin.py.
_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth + 1 : _auth + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "apps.backoffice.signin.SecondFactorMiddleware",
]
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Cổng CCCD")
# An officer's session ends after this long without a request (a working day); citizens' sessions are unchanged.
BACKOFFICE_SESSION_IDLE_SECONDS = env.int("BACKOFFICE_SESSION_IDLE_SECONDS", default=10 * 3600)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.backoffice.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "apps.backoffice.auth.client_ip"
AXES_VERBOSE = False
# Two more limits (apps.backoffice.auth.LockoutHandler): one account from any addresses, one address over any
# accounts (higher: a station's officers share one address).
AXES_HANDLER = "apps.backoffice.auth.LockoutHandler"
BACKOFFICE_LOCKOUT_PER_ACCOUNT = env.int("BACKOFFICE_LOCKOUT_PER_ACCOUNT", default=10)
BACKOFFICE_LOCKOUT_PER_ADDRESS = env.int("BACKOFFICE_LOCKOUT_PER_ADDRESS", default=20)

# --- Health (/healthz, /readyz; apps/core/health.py) --------------------------------------------------------
# /readyz says "degraded" (still 200) when no worker reported for this long or a message waits this long unsent.
HEALTH_WORKER_STALE_SECONDS = env.int("HEALTH_WORKER_STALE_SECONDS", default=120)
HEALTH_OUTBOX_STALE_SECONDS = env.int("HEALTH_OUTBOX_STALE_SECONDS", default=900)

# --- Logging, error reporting, metrics (apps/core/logging.py, sentry.py, metrics.py) -------------------------
# LOG_FORMAT=json: one JSON object per line with the request id (nginx's X-Request-ID), no personal data.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request comes from apps.core.logging; Django's own 4xx warnings would repeat the path.
        "django.request": {"level": "ERROR"},
        "portal.request": {"level": env.str("LOG_REQUESTS_LEVEL", default="INFO")},
    },
}
# Optional error reporting: Sentry SDK (or GlitchTip) when SENTRY_DSN is set; nothing personal is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from apps.core.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
# /metrics for Prometheus, with "Authorization: Bearer <METRICS_TOKEN>"; unset = no metrics endpoint (404).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# --- Personal data (apps.privacy): the retention schedule -------------------------------------------------
# Days each kind of personal data is kept (README "Personal data"); one purge applies them all, hourly from beat
# or `manage.py purge_expired`. Override one with RETENTION_<NAME>_DAYS, e.g. RETENTION_FILINGS_DAYS=365.
_RETENTION_DEFAULTS = {
    "drafts": 7,  # journeys never submitted, after their last change
    "holds": 1,  # expired holds of a time, after they expired
    "otp_challenges": 1,  # confirmation-code challenges (only a hash of the code is stored)
    "message_bodies": 30,  # the text of sent or failed messages (delivery metadata is kept)
    "messages": 365,  # the delivery record itself
    "filings": 180,  # filings, their answers and bookings, after the appointment or the last change of state
    "unconfirmed_reports": 1,  # reports whose phone was never confirmed
    "reports": 730,  # answered or closed reports, after their last change
    "report_photos": 180,  # photos of answered or closed reports, after the report's last change
    "sessions": 0,  # sessions, after they expire
    "sign_in_records": 90,  # officers' sign-in attempts and logs (django-axes)
    "audit_log": 730,  # the audit log
}
PRIVACY_RETENTION_DAYS = {
    name: env.int(f"RETENTION_{name.upper()}_DAYS", default=days) for name, days in _RETENTION_DEFAULTS.items()
}
CELERY_BEAT_SCHEDULE["privacy-purge-expired"] = {"task": "privacy.purge_expired", "schedule": 3600.0}
