"""The WSGI application as gunicorn serves it: the public form `/s/<code>/` through the short
middleware chain (publicform.py), everything else through the site's full chain."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.wsgi import get_wsgi_application

from junheng.web.publicform import PUBLIC_FORM_MIDDLEWARE, is_public_form, split_application
from junheng.web.surveys import services
from junheng.web.surveys.models import Response

# Each request ends by closing the database connection, as a server's does.
pytestmark = pytest.mark.django_db(transaction=True)


def _call(app, path: str, method: str = "GET", body: bytes = b"", headers=None):
    environ: dict = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_HOST": "testserver",
        "SERVER_NAME": "testserver",
        **(headers or {}),
    }
    setup_testing_defaults(environ)
    seen: dict = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = int(status.split()[0])
        seen["headers"] = response_headers

    content = b"".join(app(environ, start_response))
    return seen["status"], dict(seen["headers"]), seen["headers"], content.decode()


def test_only_the_form_below_s_takes_the_short_chain():
    assert is_public_form("/s/ABCDEFGHJK/")
    assert not is_public_form("/s/")
    assert not is_public_form("/surveys/")
    assert not is_public_form("/")
    # what the form keeps: security headers, hosts and slashes, framing, the script policy
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in PUBLIC_FORM_MIDDLEWARE
    assert "junheng.web.csp.ContentSecurityPolicyMiddleware" in PUBLIC_FORM_MIDDLEWARE


def test_a_respondent_answers_once_through_the_short_chain(survey, schools):
    app = split_application(get_wsgi_application())
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    status, headers, _, html = _call(app, f"/s/{code}/")
    assert status == 200 and "家长及社会公众卷" in html
    # no session, no CSRF cookie: the signed ticket stands for them
    assert "Set-Cookie" not in headers
    assert "Content-Security-Policy" in headers and headers.get("X-Frame-Options") == "DENY"
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    answers = {f"q_P{i:02d}": "4" for i in range(1, 15)}
    body = urlencode({"ticket": ticket, **answers}).encode()
    status, _, _, html = _call(app, f"/s/{code}/", "POST", body)
    assert status == 200 and "已收到" in html
    assert Response.objects.filter(code__code=code).count() == 1
    # the same ticket again: the code is used, nothing more is stored
    status, _, _, html = _call(app, f"/s/{code}/", "POST", body)
    assert Response.objects.count() == 1
    # a post naming another site's origin is refused
    status, _, _, _ = _call(
        app, f"/s/{code}/", "POST", body, {"HTTP_ORIGIN": "https://evil.example"}
    )
    assert status == 403


def test_unknown_paths_and_the_rest_of_the_site_keep_their_pages(survey):
    app = split_application(get_wsgi_application())
    # below /s/ but no form: the site's Chinese 404 page, rendered without a user
    status, _, _, html = _call(app, "/s/x/y/")
    assert status == 404 and "页面不存在" in html
    # the code page and every other page go through the full chain: a login is asked
    status, headers, _, _ = _call(app, "/surveys/")
    assert status == 302 and "/login/" in headers["Location"]
    status, _, _, html = _call(app, "/s/")
    assert status == 200
