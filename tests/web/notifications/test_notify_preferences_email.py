"""提醒设置 for an account without an e-mail address: 电子邮件 is shown unticked and disabled
beside the note that nothing is sent, and a post cannot switch it; with an address it is an
ordinary box, ticked by default."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from junheng.web.notifications.models import Preference

pytestmark = pytest.mark.django_db

BOX = re.compile(r'<input type="checkbox" name="email"[^>]*>')


def _box(client) -> str:
    html = client.get(reverse("notifications:preferences")).content.decode()
    return BOX.search(html).group(0), html


def test_without_an_address_the_box_is_unticked_and_disabled(client, django_user_model):
    user = django_user_model.objects.create_user("noaddress", password="pw-均衡-2026")
    client.force_login(user)
    box, html = _box(client)
    assert "disabled" in box and "checked" not in box
    assert "账号中没有登记邮箱，不会发送邮件" in html
    # ticking it by hand changes nothing: the stored choice (the default, on) is kept for the
    # day an address is registered
    response = client.post(
        reverse("notifications:preferences"), {"in_app": "on", "email": "on", "digest": "on"}
    )
    assert response.status_code == 302
    assert Preference.objects.get(user=user).email is True
    assert "checked" not in _box(client)[0]


def test_with_an_address_the_box_is_the_users_choice(client, django_user_model):
    user = django_user_model.objects.create_user(
        "withaddress", email="jy@example.cn", password="pw-均衡-2026"
    )
    client.force_login(user)
    box, html = _box(client)
    assert "disabled" not in box and "checked" in box
    assert "发往账号中登记的邮箱" in html
    client.post(reverse("notifications:preferences"), {"in_app": "on", "digest": "on"})
    assert Preference.objects.get(user=user).email is False
    assert "checked" not in _box(client)[0]
