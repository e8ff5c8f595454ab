"""Logging in through the real login form in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_wrong_password_is_refused_in_chinese_then_login_works(
    page, live_server, django_user_model
):
    django_user_model.objects.create_user("clerk", password="pw-均衡-2026")
    login(page, live_server.url, "clerk", "wrong-password")
    assert "用户名或密码不正确" in page.content()
    screenshot(page, "login-refused")
    login(page, live_server.url, "clerk", "pw-均衡-2026")
    assert "退出登录" in page.content()
    assert "/login/" not in page.url
