"""WSGI entry point for gunicorn: `gunicorn junheng.web.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "junheng.web.settings")

# The public survey form through a short middleware chain, everything else through the site's
# (publicform.py).
from junheng.web.publicform import split_application

application = split_application(get_wsgi_application())

# Before gunicorn forks its workers (preload_app): see warmup.py.
from junheng.web.warmup import warm_process  # noqa: E402

warm_process()
