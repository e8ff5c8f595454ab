"""The public page settings say what the 公开地址 is by default: the county's 行政区划代码 when it
has one, else an address the system made up (the demo's county has no code, so its address is
ten hex digits) — not "如行政区划代码" beside a hex string."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

HELP = (
    "公开地址的最后一段：默认为本县行政区划代码（未登记代码时为系统生成的随机地址），"
    "可改为 3–40 个小写字母、数字或短横线"
)


@pytest.mark.parametrize(("code", "default"), [("431200", r"431200"), ("", r"[0-9a-f]{10}")])
def test_the_address_help_says_what_the_default_is(client, site, code, default):
    county = site["other"]
    county.code = code
    county.save()
    client.force_login(site["users"]["sysadmin"])
    page = client.get(f"/public/counties/{county.pk}/").content.decode()
    assert HELP in page and "如行政区划代码" not in page
    assert re.search(rf'name="slug" value="{default}"', page)
