"""The password of a department login made on the 组织机构 page: Django's rules, with the new
user's own login name and name compared, and every message in Chinese."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _post(client, ledger, username: str, password: str, full_name: str = "张三"):
    url = reverse("rectification_organisation", args=[ledger["county"].pk, ledger["year"].label])
    client.force_login(ledger["users"]["admin"])
    data = {
        "action": "member",
        "member-unit": ledger["units"]["fin"].pk,
        "member-username": username,
        "member-full_name": full_name,
        "member-password": password,
    }
    return client.post(url, data)


def _errors(response) -> str:
    page = response.content.decode()
    return " ".join(re.findall(r"密码[^<]*", page))


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        # the login name as the password: the case Django missed without the user
        ("zhangsan2026", "zhangsan2026", "密码与用户名太相似，请换一个。"),
        # 7 characters, one short of Django's minimum of 8
        ("czj-wang", "Jh-2026", "密码太短，至少需要 8 个字符。"),
        ("czj-wang", "20262026", "密码只包含数字。"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(
    client, ledger, django_user_model, username, password, message
):
    response = _post(client, ledger, username, password)
    assert message in response.content.decode()
    assert "password" not in _errors(response).lower()
    assert not django_user_model.objects.filter(username=username).exists()


def test_a_password_of_eight_unrelated_characters_is_accepted(client, ledger, django_user_model):
    # 8 characters: the minimum itself passes
    response = _post(client, ledger, "czj-zhao", "Jh-2026x")
    assert response.status_code == 302
    assert django_user_model.objects.get(username="czj-zhao").check_password("Jh-2026x")
