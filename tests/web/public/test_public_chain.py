"""The public progress page as gunicorn serves it: through the short middleware chain of the
public survey form (publicform.py) — no session, no cookie — with the site's headers and 404."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.wsgi import get_wsgi_application

from junheng.web.public.models import PublicPage
from junheng.web.publicform import is_public_form, split_application

# Each request ends by closing the database connection, as a server's does.
pytestmark = pytest.mark.django_db(transaction=True)


def _get(app, path: str, cookie: str = ""):
    environ: dict = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "wsgi.input": io.BytesIO(b""),
        "HTTP_HOST": "testserver",
        "SERVER_NAME": "testserver",
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    setup_testing_defaults(environ)
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    content = b"".join(app(environ, start_response)).decode()
    return seen["status"], seen["headers"], content


def test_public_pages_take_the_short_chain():
    assert is_public_form("/p/qinghe/")
    assert not is_public_form("/p/")
    assert not is_public_form("/public/counties/1/")


def test_the_page_through_the_short_chain(site):
    app = split_application(get_wsgi_application())
    status, headers, html = _get(app, "/p/qinghe/", cookie="sessionid=whatever")
    assert status == 200
    assert "清河县义务教育优质均衡发展创建工作进展" in html
    assert "Set-Cookie" not in headers and "Vary" not in headers
    assert "Content-Security-Policy" in headers and headers.get("X-Frame-Options") == "DENY"
    assert headers["Cache-Control"] == "public, max-age=60"
    # the same 404 page for an unknown address and an unpublished county, in Chinese
    PublicPage.objects.create(county=site["other"], slug="linshui", published=False)
    unknown = _get(app, "/p/no-such-county/")
    unpublished = _get(app, "/p/linshui/")
    assert unknown[0] == unpublished[0] == 404
    assert unknown[2] == unpublished[2]
    assert "页面不存在" in unknown[2]
    # the address without its slash is completed, as everywhere on the site
    status, headers, _ = _get(app, "/p/qinghe")
    assert status == 301 and headers["Location"].endswith("/p/qinghe/")
