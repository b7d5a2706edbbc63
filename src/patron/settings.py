"""The one settings module. Every knob is an environment variable named PATRON_*.

SQLite under PATRON_DATA_DIR is the default so that `make run` needs no other service;
PATRON_DATABASE_URL switches to PostgreSQL (or anything dj-database-url understands).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Set but empty counts as not set: an empty path would put the database wherever the command runs.
DATA_DIR = Path(os.environ.get("PATRON_DATA_DIR") or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use PATRON_SECRET_KEY, or a key generated once into the data directory (mode 0600)."""
    from_env = os.environ.get("PATRON_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("PATRON_DEBUG", False)
ALLOWED_HOSTS = _env_list("PATRON_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG and not _env_bool("PATRON_LOCAL", False):
        raise ImproperlyConfigured(
            "PATRON_ALLOWED_HOSTS is not set. Set it to the host names Patron is served on "
            "(for example PATRON_ALLOWED_HOSTS=desk.example.org), or set PATRON_LOCAL=1 to serve "
            "only on this machine."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = _env_list("PATRON_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "patron.accounts",
    "patron.customers",
    "patron.cases",
    "patron.standards",
    "patron.channels",
    "patron.complaints",
    "patron.feedback",
    "patron.privacy",
    "patron.web",
]
if _env_bool("PATRON_DEV_TOOLS", False):
    INSTALLED_APPS.append("django_linear_migrations")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "patron.api.middleware.JsonApiErrors",
]

ROOT_URLCONF = "patron.urls"
WSGI_APPLICATION = "patron.wsgi.application"

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
            ],
        },
    },
]
FORM_RENDERER = "patron.web.rendering.QuickSelectRenderer"


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("PATRON_DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'patron.sqlite3'}"
    # Each server thread keeps its connection between requests, checked before reuse: opening a
    # SQLite connection and setting it up costs about 1.3 ms, and a new one starts with an empty
    # page cache.
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and one writer work side by side; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        # The write-ahead log is restarted every 4,000 pages (16 MB) rather than SQLite's 1,000:
        # each restart copies what is left of it back and syncs the disk twice. The backend is
        # Django's, with a thread copying the log back in between (patron.sqlite_backend).
        config["ENGINE"] = "patron.sqlite_backend"
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=4000; "
                "PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
        }
        test_name = os.environ.get("PATRON_TEST_SQLITE")
        if test_name:
            config["TEST"] = {"NAME": test_name}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Agent"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "web:login"

# Lock an account out after repeated failed logins (by username and address together, so one
# attacker cannot lock every agent out from one machine).
AXES_FAILURE_LIMIT = int(os.environ.get("PATRON_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PATRON_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("PATRON_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("PATRON_TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders when nothing was collected (tests, development).
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PATRON_TASK_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "patron.logs.StandardError"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PATRON_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Whose bank holidays end a working day for the statutory clocks of subject requests: the
# organisation's division of the GOV.UK feed (england-and-wales, scotland, northern-ireland).
PATRON_BANK_HOLIDAYS = os.environ.get("PATRON_BANK_HOLIDAYS", "england-and-wales")

# The survey sent when a case is resolved (csat, nps or ces; none for no survey), how long its
# link stays open, and the address customers reach Patron on, for links in emails.
PATRON_SURVEY = os.environ.get("PATRON_SURVEY", "csat")
PATRON_SURVEY_OPEN_DAYS = int(os.environ.get("PATRON_SURVEY_OPEN_DAYS", "14"))
PATRON_PUBLIC_URL = os.environ.get("PATRON_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Paging limits for lists in the UI and the API.
PATRON_PAGE_SIZE = int(os.environ.get("PATRON_PAGE_SIZE", "25"))
PATRON_MAX_PAGE_SIZE = 100
# Larger emails are stored but quarantined unread (25 MiB, as most mail servers accept).
PATRON_MAX_EMAIL_BYTES = int(os.environ.get("PATRON_MAX_EMAIL_BYTES", str(25 * 1024 * 1024)))

# Personal data hidden in message text before it is stored (comma-separated kinds; empty for none).
PATRON_MASK_PERSONAL_DATA = os.environ.get(
    "PATRON_MASK_PERSONAL_DATA", "card_number,iban,sort_code,bank_account,ni_number,passport"
)

# Attachments: kept by content under the data directory; a larger one stays only inside the
# original email it came in (downloadable whole), and is listed on its message all the same.
PATRON_FILES_DIR = Path(os.environ.get("PATRON_FILES_DIR") or DATA_DIR / "files").resolve()
PATRON_MAX_ATTACHMENT_BYTES = int(os.environ.get("PATRON_MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024)))
PATRON_MAX_ATTACHMENTS = int(os.environ.get("PATRON_MAX_ATTACHMENTS", "100"))

# Outgoing email. With no SMTP server named, mail is written to files under the data directory
# (one per message, readable with any mail client) rather than lost or sent anywhere unintended.
EMAIL_HOST = os.environ.get("PATRON_SMTP_HOST", "")
EMAIL_PORT = int(os.environ.get("PATRON_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("PATRON_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PATRON_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PATRON_SMTP_STARTTLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = _env_bool("PATRON_SMTP_TLS", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("PATRON_SMTP_TIMEOUT", "30"))
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
DEFAULT_FROM_EMAIL = os.environ.get("PATRON_MAIL_FROM", "help@patron.invalid")
# How often a failed send is tried before it waits for a person: about a day in all.
PATRON_EMAIL_ATTEMPTS = int(os.environ.get("PATRON_EMAIL_ATTEMPTS", "8"))
