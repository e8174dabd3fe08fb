"""Waymark settings.

Everything that differs between a laptop and a school's server comes from the
environment (see README, "Configuration"). ``WAYMARK_ENV`` is ``development`` (the
default, for ``make run``), ``test`` (set by the test suite) or ``production``.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

WAYMARK_ENV = os.environ.get("WAYMARK_ENV", "development")
if WAYMARK_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("WAYMARK_ENV must be development, test or production.")
IS_DEVELOPMENT = WAYMARK_ENV == "development"
IS_PRODUCTION = WAYMARK_ENV == "production"


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")
    # Only ever used on a developer's machine or in tests.
    SECRET_KEY = "insecure-development-key-never-use-in-production"

DEBUG = env_bool("DEBUG", default=IS_DEVELOPMENT)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not IS_PRODUCTION else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Waymark's apps come before allauth so that our GOV.UK templates override its own.
    "waymark.core",
    "waymark.accounts",
    "waymark.schools",
    "waymark.pupils",
    "waymark.evidence",
    "waymark.plans",
    "waymark.provision",
    "waymark.exchange",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "waymark.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages are never cached: the back button must not show them after a hand-over or sign-out.
    "waymark.core.middleware.PrivatePagesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "waymark.core.middleware.SchoolScopeMiddleware",
    # A session handed to a child for the pupil's views form reaches that form and nothing else.
    "waymark.plans.pupil_voice_lock.PupilVoiceLockMiddleware",
    "waymark.core.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "waymark.urls"
WSGI_APPLICATION = "waymark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waymark.core.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "waymark.core.forms.renderer.GovukFormRenderer"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'waymark.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes must come first so a locked-out account is refused before checking.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: email sign-in only; accounts are created by invitation, never by sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "waymark.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Waymark"

# django-axes: lock an account and address out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "waymark.accounts.lockout.username_for_lockout"
AXES_RESET_ON_SUCCESS = True
# Keep telling a locked-out person why, on every attempt during the lockout.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

# Sessions end after a period of inactivity; the page warns before that (WCAG 2.2.1).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_WARNING_SECONDS = 2 * 60
# The pupil's views form (locked mode) ends, signing the adult out, after this long without a request.
PUPIL_VOICE_IDLE_MINUTES = int(os.environ.get("PUPIL_VOICE_IDLE_MINUTES", "10"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security headers. HTTPS settings switch on in production, where a proxy terminates TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here in production; elsewhere WhiteNoise serves straight from the apps.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (BASE_DIR / "staticfiles" if IS_PRODUCTION else None)
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Mail: the console in development, memory in tests (Django's test runner), SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Waymark <waymark@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails (notices, reminders) are built on this: the address people open Waymark at.
WAYMARK_BASE_URL = os.environ.get("WAYMARK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Background work: the django-tasks API. Tasks wait in the database for `manage.py db_worker`;
# tests run them inline, straight after the transaction that enqueued them commits.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if WAYMARK_ENV == "test"
            else "django_tasks_db.DatabaseBackend",
        ),
    }
}

ADMINS = [("Waymark admin", email) for email in env_list("ADMIN_EMAILS")]

# Request bodies hold children's details: never put them in logs or error emails.
DEFAULT_EXCEPTION_REPORTER_FILTER = "waymark.core.reporting.NoRequestBodyExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "waymark.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "include_html": False,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO; only its warnings are worth reading.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Waymark's own settings.
WAYMARK_AUDIT_RETENTION_DAYS = int(os.environ.get("WAYMARK_AUDIT_RETENTION_DAYS", str(7 * 365)))
WAYMARK_INVITATION_DAYS = 7
WAYMARK_DEFAULT_MFA_ROLES = ["senco", "dsl", "head"]
WAYMARK_REGISTER_PAGE_SIZE = 50
# Counts below this are shown as "fewer than 5" wherever figures leave the SEND team.
WAYMARK_SMALL_NUMBER_THRESHOLD = 5
# Uploaded documents (evidence app): kept outside every served path and handed out only as
# scoped, audited downloads. Tests get a fresh temporary folder so no run sees another's files.
WAYMARK_PRIVATE_MEDIA_ROOT = os.environ.get("WAYMARK_PRIVATE_MEDIA_ROOT") or (
    tempfile.mkdtemp(prefix="waymark-test-files-") if WAYMARK_ENV == "test" else str(VAR_DIR / "private")
)
WAYMARK_UPLOAD_MAX_BYTES = int(os.environ.get("WAYMARK_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# How uploads are checked for viruses: "auto" uses ClamAV's clamdscan where it is installed and
# says plainly when nothing is; "none" turns checking off; "clamd" insists on ClamAV.
WAYMARK_VIRUS_SCANNER = os.environ.get("WAYMARK_VIRUS_SCANNER", "auto")
# Imports (exchange app): the largest roster, CTF or transfer file accepted, and the number of
# rows above which a roster commits as a background task with a progress page.
WAYMARK_IMPORT_MAX_BYTES = int(os.environ.get("WAYMARK_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
WAYMARK_TRANSFER_MAX_BYTES = int(os.environ.get("WAYMARK_TRANSFER_MAX_BYTES", str(100 * 1024 * 1024)))
WAYMARK_IMPORT_BACKGROUND_ROWS = int(os.environ.get("WAYMARK_IMPORT_BACKGROUND_ROWS", "200"))
# Subject access: a request is due one calendar month after it is received.
WAYMARK_SUBJECT_ACCESS_MONTHS = 1

if WAYMARK_ENV == "test":
    # Hashing strength is not under test; speed is worth having in a suite that signs in often.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
