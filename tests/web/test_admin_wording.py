"""The administration site reads in Chinese: every page of every registered model (list, add
form, an object's form), the user form with its role inline and permission list, scanned by
`tests/browser/identifiers.py`; permission names are Chinese; 所属学校 shows the school's name."""

from __future__ import annotations

import ast
import gettext
import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification import services as rectification
from junheng.web.rectification.models import Person, Unit, UnitKind, UnitMember
from junheng.web.registry.models import School
from junheng.web.services import run_evaluation
from junheng.web.surveys import services as surveys
from tests.browser.identifiers import unexpected_identifiers

pytestmark = pytest.mark.django_db

PASSWORD = "pw-均衡-2026"
# usernames made here; a user name is what its owner typed, not an identifier of the system
USERNAMES = {"root", "cadmin", "xiaoxue", "jyj"}


def page_text(content: bytes) -> str:
    """What a reader sees of a page: no scripts, styles or tags; entities resolved."""
    body = content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    # a group robot's message template is the robot's own JSON (its keys are the chat service's
    # names, e.g. msgtype), typed by the county as the robot's documentation shows it
    body = re.sub(r'(<textarea[^>]*name="template"[^>]*>).*?</textarea>', r"\1", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def site(loaded, django_user_model):
    county, year = loaded
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    school = School.objects.filter(county=county).order_by("school_id").first()
    cadmin = django_user_model.objects.create_user("cadmin", password=PASSWORD)
    Profile.objects.create(user=cadmin, role=Role.COUNTY_ADMIN, county=county)
    xiaoxue = django_user_model.objects.create_user("xiaoxue", password=PASSWORD)
    Profile.objects.create(user=xiaoxue, role=Role.SCHOOL_USER, school=school)
    snapshot = run_evaluation(county, year, cadmin)
    rectification.generate_problems(county, year, snapshot, cadmin)
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    Person.objects.create(unit=unit, name="张三", post="科长", phone="13800000000")
    UnitMember.objects.create(user=django_user_model.objects.create_user("jyj"), unit=unit)
    now = timezone.now()
    surveys.create_survey(
        county,
        year,
        cadmin,
        title="2026 年社会认可度调查",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        population=352_000,
    )
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    return {"client": client, "root": root, "school": school, "xiaoxue": xiaoxue}


def admin_pages(client: Client, root) -> dict[str, str]:
    """Every page of the site's administration a system administrator opens, by URL."""
    request = RequestFactory().get("/admin/")
    request.user = root
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse("admin:app_list", args=[meta.app_label]))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
    pages = {}
    for url in dict.fromkeys(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = page_text(response.content)
    return pages


def test_every_admin_page_reads_in_chinese(site):
    pages = admin_pages(site["client"], site["root"])
    assert len(pages) > 40
    findings = {
        url: found
        for url, text in pages.items()
        if (found := unexpected_identifiers(text, allowed=USERNAMES))
    }
    assert findings == {}


def test_permission_names_are_chinese(site):
    # Django names them "Can add school" from the model's verbose_name; ours say 可以添加学校
    names = dict(
        Permission.objects.filter(content_type__app_label="registry").values_list(
            "codename", "name"
        )
    )
    assert names["add_school"] == "可以添加学校"
    assert names["change_school"] == "可以修改学校"
    assert names["delete_school"] == "可以删除学校"
    assert names["view_school"] == "可以查看学校"
    assert names["view_county"] == "可以查看县区"
    assert not Permission.objects.filter(name__startswith="Can ").exists()


def test_school_of_a_profile_is_shown_by_name(site):
    school, user = site["school"], site["xiaoxue"]
    response = site["client"].get(reverse("admin:auth_user_change", args=[user.pk]))
    text = page_text(response.content)
    assert "所属学校" in text
    assert school.name in text


def _po_entries(path: Path) -> dict[tuple[str, str], str]:
    """(msgid, msgid_plural or "") → msgstr (msgstr[0] of a plural) of a .po file; multi-line
    strings joined, the header left out."""
    entries: dict[tuple[str, str], str] = {}
    fields: dict[str, str] = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
            key, _, rest = line.partition(" ")
            fields[key] = ast.literal_eval(rest)
        elif line.startswith('"') and key:
            fields[key] += ast.literal_eval(line)
        elif not line:
            if fields.get("msgid"):
                text = fields.get("msgstr", fields.get("msgstr[0]", ""))
                entries[(fields["msgid"], fields.get("msgid_plural", ""))] = text
            fields, key = {}, None
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalogues_match_their_sources(domain):
    # the .mo files are committed; one compiled from an older .po would show the old words
    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    entries = _po_entries(folder / f"{domain}.po")
    assert entries, domain
    with (folder / f"{domain}.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    compiled_texts = {
        (msgid, plural): catalogue.ngettext(msgid, plural, 1)
        if plural
        else catalogue.gettext(msgid)
        for msgid, plural in entries
    }
    assert compiled_texts == entries
