"""The WSGI application gunicorn serves: the whole site, except that the public survey form
(`/s/<code>/`) runs through a short middleware chain.

A parents' meeting sends hundreds of phones to `/s/<code>/` within a minute, and every phone
costs two requests. That path reads no session, no user and no message and carries no CSRF
token (its signed ticket binds a submission to the code, `surveys/public.py`), so sessions,
authentication, messages, CSRF, static files and the login throttle would only spend CPU on
it. It keeps the security headers, the common middleware (slashes, disallowed hosts), framing
protection and the Content-Security-Policy. Everything else — the code page `/s/` included,
whose template reads the user — goes through the site's full chain. The public progress pages
`/p/<address>/` take the short chain too (`PUBLIC_PAGE_PREFIX`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

PUBLIC_FORM_MIDDLEWARE: tuple[str, ...] = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "junheng.web.csp.ContentSecurityPolicyMiddleware",
)
"""The site's middleware the public form keeps, in the site's order."""

ANONYMOUS_MIDDLEWARE = "junheng.web.publicform.anonymous_user"
"""Appended to the short chain: pages rendered on the way out of it (the site's 404 and 500
pages read the navigation, which asks for the user) find an anonymous visitor."""

PUBLIC_FORM_PREFIX = "/s/"
PUBLIC_PAGE_PREFIX = "/p/"
"""The public progress pages (`public/views.py`), answered from the cache for anyone: they read
no cookie, session, user or message either and only answer GET, so they take the same chain."""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PublicFormHandler(WSGIHandler):
    """Django's WSGI handler with only `PUBLIC_FORM_MIDDLEWARE` of the site's chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [
            *(m for m in full if m in PUBLIC_FORM_MIDDLEWARE),
            ANONYMOUS_MIDDLEWARE,
        ]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def anonymous_user(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Middleware: the request's user is an anonymous visitor, without a session lookup."""
    # Imported here: wsgi.py imports this module before Django's apps are loaded.
    from django.contrib.auth.models import AnonymousUser

    def middleware(request: Any) -> Any:
        request.user = AnonymousUser()
        return get_response(request)

    return middleware


def is_public_form(path: str) -> bool:
    """`/s/<code>/` and below, not the code page `/s/` itself; `/p/<address>/` and below."""
    return any(
        path.startswith(prefix) and len(path) > len(prefix)
        for prefix in (PUBLIC_FORM_PREFIX, PUBLIC_PAGE_PREFIX)
    )


def split_application(site: WSGIApp) -> WSGIApp:
    """The site, with the public form answered by a `PublicFormHandler`."""
    form = PublicFormHandler()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_public_form(environ.get("PATH_INFO", "")):
            return form(environ, start_response)
        return site(environ, start_response)

    return application
