"""Django settings, read from the environment so one code base serves a laptop and a county server.

`DATABASE_URL` chooses the database (SQLite under `var/` when unset, PostgreSQL in production).
A deployment sets `JUNHENG_DEBUG=0`, `JUNHENG_SECRET_KEY` and `JUNHENG_ALLOWED_HOSTS`; with debug
off the site expects HTTPS from a reverse proxy (nginx) in front of gunicorn, see
docs/deployment.md, where every variable read here is described.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from junheng.clock import TimeZoneError, time_zone

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("JUNHENG_VAR_DIR", PROJECT_ROOT / "var"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Fail closed: debug pages list every URL and print tracebacks, so debug is on only when asked
# for (a developer's JUNHENG_DEBUG=1; the tests' settings). gunicorn, `junheng web` and the
# management commands of a county's server run with it off whatever their environment forgets.
DEBUG = _flag("JUNHENG_DEBUG", False)

# The development key is public. With debug off a real key is required: a server must never run
# with a key that anyone can read here, since it signs the session cookies.
_DEVELOPMENT_KEY = "django-insecure-junheng-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("JUNHENG_SECRET_KEY", "").strip()
if not SECRET_KEY and (VAR_DIR / "secret_key").is_file():
    # The key `junheng web` (./run demo) generated for this data folder (readable by its owner
    # only), so the management commands the demo's banner suggests work on the same folder.
    SECRET_KEY = (VAR_DIR / "secret_key").read_text(encoding="ascii").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEVELOPMENT_KEY
elif not DEBUG and SECRET_KEY in ("", _DEVELOPMENT_KEY):
    raise ImproperlyConfigured(
        "未设置 JUNHENG_SECRET_KEY：正式运行（未设置 JUNHENG_DEBUG=1）时必须设置一个随机密钥，"
        "可用以下命令生成：python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        "（详见 docs/deployment.md）。只想试用时请运行 ./run demo，它会自动生成并保存密钥。"
    )

ALLOWED_HOSTS = _list("JUNHENG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Needed only when the address in the browser differs from the Host header the proxy passes on
# (e.g. a port other than 443); each entry with its scheme, such as https://jy.example.gov.cn:8443.
CSRF_TRUSTED_ORIGINS = _list("JUNHENG_CSRF_TRUSTED_ORIGINS")
# The proxies whose X-Forwarded-For is believed (clientaddress.py): nginx on this machine.
TRUSTED_PROXIES = frozenset(_list("JUNHENG_TRUSTED_PROXIES", "127.0.0.1,::1"))

# HTTPS is on by default once debug is off. TLS ends at nginx, which tells gunicorn through
# X-Forwarded-Proto; gunicorn listens on 127.0.0.1 only, so no one else can send that header.
HTTPS = _flag("JUNHENG_HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("JUNHENG_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JUNHENG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("JUNHENG_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("JUNHENG_HSTS_PRELOAD", True)
# Office computers are shared: a session ends after a working day rather than Django's two weeks.
SESSION_COOKIE_AGE = int(os.environ.get("JUNHENG_SESSION_HOURS", "12")) * 3600

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "junheng.web.registry",
    "junheng.web.collection",
    "junheng.web.accounts",
    "junheng.web.evaluation",
    "junheng.web.imports",
    "junheng.web.rectification",
    "junheng.web.surveys",
    # the queue before the documents app, whose admin hides the queue's table
    "django_tasks",
    "junheng.web.documents.apps.QueueConfig",
    "junheng.web.documents",
    "junheng.web.practice",
    "junheng.web.archive",
    "junheng.web.roster",
    "junheng.web.inspections",
    "junheng.web.appraisal",
    "junheng.web.notifications",
    "junheng.web.public",
    "axes",
]

# Long work (reports of 400 schools, the inspection archive) runs in the background worker
# (`junheng_worker`); the database is the queue, so no other service is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are served by the application itself: county intranets often have no CDN and
    # no separately configured web server for assets.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # the header's 待办 count after the user's own change (notifications/badge.py)
    "junheng.web.notifications.badge.ForgetAfterChange",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "junheng.web.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it answers a locked-out login (accounts/throttle.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "junheng.web.urls"
WSGI_APPLICATION = "junheng.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "junheng.web.navigation.navigation",
            ],
        },
    },
]


def _default_database_url() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'junheng.sqlite3'}"


_database_url = os.environ.get("DATABASE_URL") or _default_database_url()
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file. Write-ahead logging lets pages be read while an
    # evaluation or an import writes; a transaction takes the write lock when it begins (not
    # when it first writes, where two readers upgrading at once fail at once with "database is
    # locked"); and a writer waits up to 30 s for another instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    } | DATABASES["default"].get("OPTIONS", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the rendered parts of the county overview and the indicator page that depend
# on one snapshot alone (`dashboards.cached_county_board`, `cached_indicator_board`), rendered
# when a county is evaluated, and the sessions. A snapshot never changes after it is written, so
# entries never go stale and need no expiry. The cache is a folder of files: every gunicorn worker
# reads the same entries (a page rendered once serves all of them, also after a restart), and a
# county's server needs no cache server to install or watch. MAX_ENTRIES bounds the folder (a
# county overview of 250 schools is a few hundred kB of HTML).
CACHE_DIR = Path(os.environ.get("JUNHENG_CACHE_DIR", VAR_DIR / "cache"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("JUNHENG_CACHE_ENTRIES", "20000"))},
    }
}
# A session is read on every request: from the cache, and from the database only when the cache
# lost it; the database keeps it across a cleared cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Dates users read are Beijing dates whatever the server's clock (UTC) says; the CLI reads the
# same setting, see junheng/clock.py.
try:
    TIME_ZONE = time_zone().key
except TimeZoneError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
USE_I18N = True
# Chinese for the few administration-site strings Django's own catalogue leaves in English.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every start while the folder is missing (before the first collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The site stylesheet lives beside the templates, outside any app. ECharts and htmx are copied
# from the npm registry's packages into assets/vendor/ by `./run` (see assets/package.json).
VENDOR_DIR = PACKAGE_DIR / "assets" / "vendor"
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor", VENDOR_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: pages render before `collectstatic` has been run (tests, first
    # start), and WhiteNoise still serves gzip/brotli copies once it has.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded files kept by the system (evidence and the like); back this folder up with the database.
MEDIA_ROOT = Path(os.environ.get("JUNHENG_MEDIA_ROOT", VAR_DIR / "media"))
# A county sends in one workbook per school (up to about 400) at once.
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# The 规划数据 grids post one field per cell: 建设项目 has 26 columns, so Django's default of 1,000
# fields would leave a county with more than about 33 projects a read-only grid.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Reminders (notifications/): e-mail through the county's mail server, links written with the
# site's address (group-chat robots and mail are read outside the site).
EMAIL_HOST = os.environ.get("JUNHENG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JUNHENG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JUNHENG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JUNHENG_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = _flag("JUNHENG_EMAIL_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("JUNHENG_EMAIL_FROM", "junheng@localhost")
JUNHENG_SITE_URL = os.environ.get("JUNHENG_SITE_URL", "").rstrip("/")

# Errors go to standard error, where gunicorn and systemd's journal collect them; without this,
# Django would only e-mail the tracebacks of server errors to ADMINS, which is not configured.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # A refused request (403) is one line (who, path, why), not a traceback: see logfilters.
    "filters": {"forbidden": {"()": "junheng.web.logfilters.ForbiddenOneLine"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["forbidden"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "junheng": {
            "handlers": ["stderr"],
            "level": os.environ.get("JUNHENG_LOG_LEVEL", "INFO").upper(),
            "propagate": False,
        },
    },
}

# The site's own Chinese login page; after login `/` sends each role to its starting page.
LOGIN_URL = "login"
# Django's password checks; the user is read with their role (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "junheng.web.accounts.throttle.LoginThrottle",
    "junheng.web.accounts.backends.ProfileBackend",
]
# Login throttling (accounts/throttle.py): after this many wrong passwords an account, and an
# address, are locked for this many minutes; a system administrator can lift a lock earlier by
# deleting the 登录失败记录 in 系统管理.
AXES_FAILURE_LIMIT = int(os.environ.get("JUNHENG_LOGIN_FAILURES", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JUNHENG_LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "junheng.web.clientaddress.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ADMIN = False  # registered in Chinese by accounts/admin.py
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # no record of successful logins kept by axes
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
