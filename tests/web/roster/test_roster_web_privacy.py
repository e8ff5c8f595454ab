"""No full ID number leaves the roster pages: every page of the list for every role, the
reconciliation, the confirmation page, the masked workbook and an error list quoting a number
are scanned; only the county administrator's full export holds the numbers."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.roster import services
from junheng.web.roster.models import Teacher
from junheng.web.roster.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


@pytest.fixture
def demo_stored(loaded, demo_roster_file):
    county, year = loaded
    path, roster = demo_roster_file
    assert services.import_roster(county, year, path, None, path.name).record is not None
    return county, year, set(roster.teachers.get_column("id_number").to_list())


def _leaks(text: str, ids: set[str]) -> list[str]:
    return [n for n in FULL_ID.findall(text)] + [n for n in ids if n in text]


def _workbook_text(content: bytes) -> str:
    """Every XML part of an .xlsx (cells are in sharedStrings or inline in the sheets)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())


def test_no_page_shows_a_full_id_number(client, users, demo_stored):
    county, year, ids = demo_stored
    args = [county.pk, year.label]
    pages = Teacher.objects.filter(county=county).count() // PAGE_SIZE + 1
    seen = 0
    for role in ("admin", "sysadmin", "school", "leader", "inspector"):
        client.force_login(users[role])
        url = reverse("roster:page", args=args)
        first = client.get(url)
        assert first.status_code == 200
        texts = [first.content.decode()]
        if role in ("admin", "sysadmin"):
            texts += [client.get(f"{url}?page={n}").content.decode() for n in range(2, pages + 1)]
            texts.append(client.get(f"{url}?q=152201").content.decode())
        if role != "school":
            texts.append(client.get(reverse("roster:reconcile", args=args)).content.decode())
        for text in texts:
            assert _leaks(text, ids) == []
            seen += text.count("152201********")
    # every teacher's masked number appeared on the admins' pages (so the scan saw them all)
    assert seen >= 2 * len(ids)


def test_the_masked_workbook_has_no_full_number_and_the_full_export_all(client, users, demo_stored):
    county, year, ids = demo_stored
    args = [county.pk, year.label]
    client.force_login(users["admin"])
    masked = client.get(reverse("roster:template", args=args) + "?current=1")
    assert masked.status_code == 200
    assert _leaks(_workbook_text(masked.content), ids) == []
    assert "152201********" in _workbook_text(masked.content)
    confirm = client.get(reverse("roster:full_export", args=args)).content.decode()
    assert _leaks(confirm, ids) == []
    full = client.post(reverse("roster:full_export", args=args), {"confirm": "yes"})
    text = _workbook_text(full.content)
    assert all(n in text for n in ids)


def test_an_error_quoting_an_id_number_masks_it(
    client, loaded, users, roster_file, make_teacher, edit_cell
):
    county, year = loaded
    client.force_login(users["admin"])
    school = county.schools.order_by("school_id").first().school_id
    # the number typed into 出生日期 by mistake is quoted in the error
    path = edit_cell(roster_file([make_teacher(school, "T1")]), "出生日期", 2, "152201198005171234")
    with path.open("rb") as f:
        upload = SimpleUploadedFile(path.name, f.read())
    response = client.post(reverse("roster:page", args=[county.pk, year.label]), {"roster": upload})
    text = response.content.decode()
    assert response.status_code == 400 and "出生日期" in text
    assert "152201********1234" in text
    assert _leaks(text, {"152201198005171234"}) == []
