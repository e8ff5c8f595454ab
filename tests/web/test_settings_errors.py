"""What a user sees when something goes wrong, and what the server's log keeps: the Chinese
500 page with the traceback in the log, the Chinese page for a refused (expired) form."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import include, path


def _broken(request):
    raise RuntimeError("a bug deep in some page")


urlpatterns = [path("broken/", _broken)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_the_chinese_page_and_logs_the_traceback(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and "请稍后再试一次" in page
    assert "RuntimeError" not in page and "Traceback" not in page
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info[1].args == ("a bug deep in some page",)


def test_the_log_goes_to_standard_error():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    for logger in ("django", "junheng"):
        [name] = settings.LOGGING["loggers"][logger]["handlers"]
        assert handlers[name]["class"] == "logging.StreamHandler"
    assert logging.getLogger("django.request").getEffectiveLevel() <= logging.ERROR


@pytest.mark.django_db
def test_a_form_without_its_token_is_refused_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，操作没有完成" in page
    assert "CSRF" not in page


def _refused(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("只有本县管理员可以重新评估。")


# The 403 page and the header it is drawn in need the site's own routes.
urlpatterns += [path("refused/", _refused), path("", include("junheng.web.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_refused_request_is_one_log_line_without_a_traceback(django_user_model):
    import io

    # The handler the settings configure (its filter and format), writing into a buffer.
    # (pytest adds its own capture handlers beside it)
    [handler] = [
        h
        for h in logging.getLogger("django").handlers
        if type(h) is logging.StreamHandler and h.formatter is not None
    ]
    buffer = io.StringIO()
    original = handler.setStream(buffer)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(django_user_model.objects.create_user("leader1"))
        assert client.get("/refused/").status_code == 403
        client.logout()
        assert client.get("/refused/").status_code == 403
    finally:
        handler.setStream(original)
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "Traceback" not in buffer.getvalue()
    user_id = django_user_model.objects.get(username="leader1").pk
    assert lines[0].endswith(
        f"拒绝访问（403）：用户 leader1（编号 {user_id}），路径 /refused/，"
        "原因：只有本县管理员可以重新评估。"
    )
    assert "WARNING django.request" in lines[0]
    assert lines[1].endswith("用户 未登录用户，路径 /refused/，原因：只有本县管理员可以重新评估。")
