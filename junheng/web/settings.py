"""Django settings, read from the environment so one code base serves a laptop and a county server.

`DATABASE_URL` chooses the database (SQLite under `var/` when unset, PostgreSQL in production);
`JUNHENG_SECRET_KEY`, `JUNHENG_DEBUG` and `JUNHENG_ALLOWED_HOSTS` configure a deployment.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("JUNHENG_VAR_DIR", PROJECT_ROOT / "var"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The development key is public; a deployment sets JUNHENG_SECRET_KEY (see the production guide).
SECRET_KEY = os.environ.get(
    "JUNHENG_SECRET_KEY", "django-insecure-junheng-development-key-do-not-use-in-production"
)
DEBUG = _flag("JUNHENG_DEBUG", True)
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("JUNHENG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

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
]

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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]


def _default_database_url() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'junheng.sqlite3'}"


_database_url = os.environ.get("DATABASE_URL") or _default_database_url()
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
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

# The site's own Chinese login page; after login `/` sends each role to its starting page.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
