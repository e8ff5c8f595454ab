"""The tests' Django settings: the site's own, in development mode.

The site runs with debug off unless JUNHENG_DEBUG=1 says otherwise (settings.py fails closed),
so the test run asks for development mode before reading them: the public development key, and
plain HTTP for Django's test client. pytest-django still runs every test with DEBUG = False.
Tests that start a server in its own process give it an environment of its own.
"""

from __future__ import annotations

import os

os.environ.setdefault("JUNHENG_DEBUG", "1")

from junheng.web.settings import *  # noqa: F403
