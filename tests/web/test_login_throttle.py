"""Login throttling: after 10 wrong passwords (settings, from JUNHENG_LOGIN_FAILURES) an account
and an address are locked for 15 minutes, even for the right password; a success clears the
count; a system administrator unlocks by deleting the 登录失败记录."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pw-均衡-2026"
OFFICE = "203.0.113.10"


@pytest.fixture
def users():
    model = get_user_model()
    return [model.objects.create_user(name, "", PASSWORD) for name in ("zhang", "li", "wang")]


def _login(username: str, password: str, address: str = OFFICE):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response, client


def _fail(username: str, times: int, address: str = OFFICE) -> list[int]:
    return [_login(username, "wrong", address)[0].status_code for _ in range(times)]


def test_nine_failures_then_the_right_password_logs_in(users):
    _fail("zhang", 9)
    response, client = _login("zhang", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.username == "zhang"


def test_ten_failures_lock_the_account_even_for_the_right_password(users):
    # The form again after each of the first nine; the tenth failure locks.
    assert _fail("zhang", 10) == [200] * 9 + [429]
    response, client = _login("zhang", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "密码连续输错 10 次，账号“zhang”和这台电脑的地址已被暂时锁定，请 15 分钟后再试" in page
    assert "系统管理 › 登录失败记录" in page
    assert not client.session.get("_auth_user_id")


def test_the_account_is_locked_from_every_address(users):
    # Guessing one person's password from ten computers, one try each.
    for n in range(10):
        _fail("zhang", 1, address=f"198.51.100.{n}")
    assert _login("zhang", PASSWORD, address="198.51.100.99")[0].status_code == 429
    # The other accounts are not affected from elsewhere.
    assert _login("li", PASSWORD, address="198.51.100.99")[0].status_code == 302


def test_an_address_trying_many_accounts_is_locked(users):
    _fail("zhang", 4)
    _fail("li", 3)
    _fail("nobody", 3)  # 10 failures from one address, on three accounts
    assert _login("wang", PASSWORD)[0].status_code == 429
    assert _login("wang", PASSWORD, address="198.51.100.7")[0].status_code == 302


def test_a_success_clears_the_count(users):
    _fail("zhang", 9)
    assert _login("zhang", PASSWORD)[0].status_code == 302
    _fail("zhang", 9)  # 9 again, not 18
    assert _login("zhang", PASSWORD)[0].status_code == 302


def test_the_lock_ends_after_the_cool_off(users):
    _fail("zhang", 10)
    assert _login("zhang", PASSWORD)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login("zhang", PASSWORD)[0].status_code == 302


def test_an_administrator_unlocks_by_deleting_the_record(users):
    _fail("zhang", 10)
    admin = get_user_model().objects.create_superuser("root", "", PASSWORD)
    staff = Client()
    staff.force_login(admin)
    listing = staff.get("/admin/accounts/failedlogin/").content.decode()
    for label in ("登录失败记录", "用户名", "地址", "连续失败次数", "最近一次", "zhang"):
        assert label in listing
    records = AccessAttempt.objects.filter(username="zhang")
    assert records.count() >= 1
    ids = [str(pk) for pk in records.values_list("pk", flat=True)]
    confirmed = staff.post(
        "/admin/accounts/failedlogin/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert confirmed.status_code == 302
    assert not AccessAttempt.objects.filter(username="zhang").exists()
    assert _login("zhang", PASSWORD, address="198.51.100.50")[0].status_code == 302
