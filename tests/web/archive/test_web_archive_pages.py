"""The archive pages: completeness by part with hand-counted requirements, uploads through the
evidence checks (type, size, count; all or nothing), deletion, a county's own requirements, and
who may see and change what (every role; forbidden answers 404 like unknown)."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.archive import services
from junheng.web.archive.models import ArchiveFile, CountyRequirement
from junheng.web.rectification import evidence
from junheng.web.rectification.models import Evidence, PolicyDocument
from tests.browser.identifiers import unexpected_identifiers

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type /Pages /Kids [2 0 R] /Count 1>>endobj\n"
    b"2 0 obj<</Type /Page>>endobj\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _home(site):
    return reverse("archive:home", args=[site["county"].pk, site["year"].label])


def _item(site, item="G1"):
    return reverse("archive:item", args=[site["county"].pk, site["year"].label, item])


def _upload(client, site, *files, item="G1", requirement="implementation", note=""):
    return client.post(
        _item(site, item),
        {"action": "upload", "requirement": requirement, "note": note, "files": list(files)},
        follow=True,
    )


def test_completeness_counts_by_part(as_user, site):
    # Requirements of the national file: R1–R7 three each (21) + 校际差异系数 1 = 22;
    # G1–G15: 2+1+2+2+2+2+2+3+2+2+2+1+2+2+2 = 29; Q1–Q9: 1+2+2+1+1+1+2+1+1 = 12; S1 2; V1–V6 6.
    # Total 71. With an evaluation and nothing uploaded, the system supplies R1–R7's 统计报表 and
    # 一校一册 (14), the 差异系数计算表 (1) and the tables of G3, G4, G5 (3): 18 provided.
    parts, strays = services.completeness(site["county"], site["year"])
    assert [(p.title, p.required, p.provided, p.missing) for p in parts] == [
        ("一、资源配置", 22, 15, 7),
        ("二、政府保障程度", 29, 3, 26),
        ("三、教育质量", 12, 0, 12),
        ("四、社会认可度", 2, 0, 2),
        ("五、一票否决", 6, 0, 6),
    ]
    assert strays == []
    page = as_user("leader").get(_home(site)).content.decode()
    assert "共 71 项材料要求，已提供 18 项，缺少 53 项；已上传 0 个文件" in page
    assert '<progress value="15" max="22">' in page
    assert "已提供 3 / 29 项，缺少 26 项" in page
    assert "县域义务教育学校布局规划文件" in page  # G1's missing requirement listed
    assert unexpected_identifiers(_text(page)) == []
    item = as_user("admin").get(_item(site)).content.decode()
    assert unexpected_identifiers(_text(item)) == []


def _text(html: str) -> str:
    """What a reader sees: the page without tags and the header's navigation."""
    body = html.split('<main class="content">', 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_upload_moves_an_item_and_its_part(as_user, site, folders):
    client = as_user("admin")
    response = _upload(
        client,
        site,
        SimpleUploadedFile("实施情况.pdf", PDF),
        SimpleUploadedFile("照片.jpg", JPEG),
        note="2025 年新建项目",
    )
    page = response.content.decode()
    assert "已上传 2 个文件" in page
    rows = list(ArchiveFile.objects.order_by("name"))
    assert [(r.item, r.requirement, r.name, r.kind, r.size) for r in rows] == [
        ("G1", "implementation", "实施情况.pdf", "pdf", len(PDF)),
        ("G1", "implementation", "照片.jpg", "jpeg", len(JPEG)),
    ]
    assert rows[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert (folders / "evidence" / rows[0].path).read_bytes() == PDF
    assert rows[0].uploaded_by == site["users"]["admin"] and rows[0].note == "2025 年新建项目"
    parts, _ = services.completeness(site["county"], site["year"])
    g1 = parts[1].items[0]
    assert (g1.required, g1.provided, [r.title for r in g1.missing]) == (
        2,
        1,
        ["县域义务教育学校布局规划文件"],
    )
    assert (parts[1].provided, parts[1].missing) == (4, 25)  # 3 + 1
    assert "王主任" in page and "2025 年新建项目" in page


def test_issued_policy_document_provides_its_requirement(site, folders):
    # G1's 布局规划 is the checklist's document: provided once 已印发 with a file
    document = PolicyDocument.objects.create(county=site["county"], item_id="layout-plan")
    parts, _ = services.completeness(site["county"], site["year"])
    assert parts[1].items[0].provided == 0
    document.status = "已印发"
    document.save()
    Evidence.objects.create(
        policy=document, name="规划.pdf", kind="pdf", size=1, sha256="0" * 64, path="00/x"
    )
    parts, _ = services.completeness(site["county"], site["year"])
    row = parts[1].items[0].rows[0]
    assert (
        row.provided and row.system_note == "政策文件清单“义务教育学校布局规划”：已印发，1 个文件"
    )
    # G2, G6, G7 also rest on a checklist document (四统一), still not issued
    assert parts[1].items[1].provided == 0


def test_refused_type_and_size_keep_nothing_and_say_why(as_user, site, folders, monkeypatch):
    client = as_user("admin")
    page = _upload(
        client,
        site,
        SimpleUploadedFile("好的.pdf", PDF),
        SimpleUploadedFile("说明.pdf", b"MZ\x90\x00program"),
    ).content.decode()
    assert "本次上传的文件都未保存" in page
    assert "说明.pdf" in page
    assert ArchiveFile.objects.count() == 0
    stored = [p for p in (folders / "evidence").rglob("*") if p.is_file()]
    assert stored == []
    monkeypatch.setattr(evidence, "limits", lambda: evidence.Limits(max_file_mb=0.001, max_files=2))
    big = PDF + b"0" * 2000  # the limit is 0.001 MB = 1,048 bytes; this file is 2,000 + bytes
    page = _upload(client, site, SimpleUploadedFile("扫描件.pdf", big)).content.decode()
    assert (
        "文件“扫描件.pdf”大小超过上限 0.001 MB，未上传；请压缩或拆分后再上传。"
        "本次上传的文件都未保存" in page
    )
    small = PDF + b"0" * (1048 - len(PDF))  # exactly at the limit: accepted
    page = _upload(client, site, SimpleUploadedFile("刚好.pdf", small)).content.decode()
    assert "已上传 1 个文件" in page
    three = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(3)]
    page = _upload(client, site, *three).content.decode()
    assert "一次最多上传 2 个文件，本次选择了 3 个" in page
    assert ArchiveFile.objects.count() == 1


def test_upload_to_an_unknown_requirement_or_without_files(as_user, site):
    client = as_user("admin")
    page = _upload(
        client, site, SimpleUploadedFile("a.pdf", PDF), requirement="nope"
    ).content.decode()
    assert "所选的材料要求已不存在" in page
    page = client.post(_item(site), {"action": "upload", "requirement": ""}, follow=True)
    assert "请选择要上传的文件" in page.content.decode()
    # 其他材料: an upload without a requirement is kept with the item
    _upload(client, site, SimpleUploadedFile("会议纪要.pdf", PDF), requirement="")
    state = services.item_state(
        services.requirement_set(site["county"], site["year"]).items["G1"],
        ArchiveFile.objects.all(),
        services.supplied(site["county"], site["year"]),
    )
    assert [f.name for f in state.others] == ["会议纪要.pdf"] and state.provided == 0


def test_delete_keeps_content_another_upload_shares(as_user, site, folders):
    client = as_user("admin")
    _upload(client, site, SimpleUploadedFile("一.pdf", PDF))
    _upload(client, site, SimpleUploadedFile("二.pdf", PDF), item="G2", requirement="")
    first, second = ArchiveFile.objects.order_by("id")
    assert first.path == second.path  # same content stored once
    stored = folders / "evidence" / first.path
    page = client.post(reverse("archive:delete", args=[first.pk]), follow=True).content.decode()
    assert "已删除“一.pdf”" in page
    assert stored.exists()  # 二.pdf still has it
    client.post(reverse("archive:delete", args=[second.pk]))
    assert not stored.exists() and ArchiveFile.objects.count() == 0


def test_county_requirement_added_listed_and_removed(as_user, site):
    client = as_user("admin")
    page = client.post(
        _item(site),
        {
            "action": "add_requirement",
            "title": "布局调整听证会纪要",
            "shows": "听证过程",
            "source": "省细则第五条",
        },
        follow=True,
    ).content.decode()
    assert "已增加材料要求" in page and "布局调整听证会纪要" in page and "县定" in page
    own = CountyRequirement.objects.get()
    parts, _ = services.completeness(site["county"], site["year"])
    assert parts[1].items[0].required == 3  # 2 + the county's own
    page = client.post(
        _item(site), {"action": "add_requirement", "title": "布局调整听证会纪要"}, follow=True
    ).content.decode()
    assert "G1 县级人民政府制定义务教育学校布局规划 已有材料要求“布局调整听证会纪要”" in page
    _upload(client, site, SimpleUploadedFile("纪要.pdf", PDF), requirement=own.key)
    client.post(_item(site), {"action": "delete_requirement", "requirement": own.key})
    assert not CountyRequirement.objects.exists()
    file = ArchiveFile.objects.get()  # the file stays, as 其他材料 of the item
    state = services.completeness(site["county"], site["year"])[0][1].items[0]
    assert state.required == 2 and [f.pk for f in state.others] == [file.pk]
    # the national requirements cannot be removed
    page = client.post(
        _item(site), {"action": "delete_requirement", "requirement": "layout-plan"}, follow=True
    ).content.decode()
    assert "只能删除本县增加的材料要求" in page


def test_download_serves_the_file(as_user, site):
    _upload(as_user("admin"), site, SimpleUploadedFile("实施情况.pdf", PDF))
    row = ArchiveFile.objects.get()
    response = as_user("inspector").get(reverse("archive:download", args=[row.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Security-Policy"] == "sandbox"


READERS = ["admin", "sysadmin", "leader", "inspector"]
MANAGERS = ["admin", "sysadmin"]
OUTSIDERS = ["other_admin", "school", "department", "nobody"]


@pytest.mark.parametrize("role", READERS + OUTSIDERS)
def test_who_sees_the_pages(client, site, role):
    ArchiveFile.objects.create(
        county=site["county"],
        year=site["year"],
        item="G1",
        requirement="",
        name="x.pdf",
        kind="pdf",
        size=1,
        sha256="0" * 64,
        path="00/none",
    )
    row = ArchiveFile.objects.get()
    client.force_login(site["users"][role])
    urls = [_home(site), _item(site), _item(site, "CV")]
    codes = [client.get(u).status_code for u in urls]
    # the download of a file whose content is gone is a 404 for everyone; its permission is
    # checked first, see test_download_permission
    if role in READERS:
        assert codes == [200, 200, 200]
        page = client.get(_home(site)).content.decode()
        assert ("生成档案包" in page) == (role in MANAGERS)
        item = client.get(_item(site)).content.decode()
        assert ("上传材料" in item) == (role in MANAGERS)
        assert ("删除</button>" in item) == (role in MANAGERS)
        assert ("junheng/archive.js" in item) == (role in MANAGERS)
    else:
        assert codes == [404, 404, 404]
        assert client.post(reverse("archive:delete", args=[row.pk])).status_code == 404


@pytest.mark.parametrize("role", READERS + OUTSIDERS)
def test_who_changes_and_downloads(client, site, role, folders):
    client.force_login(site["users"]["admin"])
    _upload(client, site, SimpleUploadedFile("a.pdf", PDF))
    row = ArchiveFile.objects.get()
    client.force_login(site["users"][role])
    assert client.get(reverse("archive:download", args=[row.pk])).status_code == (
        200 if role in READERS else 404
    )
    upload = _upload(client, site, SimpleUploadedFile("b.pdf", PDF))
    add = client.post(_item(site), {"action": "add_requirement", "title": "某材料"})
    delete = client.post(reverse("archive:delete", args=[row.pk]))
    if role in MANAGERS:
        assert upload.status_code == 200 and ArchiveFile.objects.filter(name="b.pdf").exists()
        assert add.status_code == 302 and CountyRequirement.objects.exists()
        assert delete.status_code == 302 and not ArchiveFile.objects.filter(pk=row.pk).exists()
    else:
        assert (upload.status_code, add.status_code, delete.status_code) == (404, 404, 404)
        assert list(ArchiveFile.objects.values_list("name", flat=True)) == ["a.pdf"]
        assert not CountyRequirement.objects.exists()


def test_anonymous_goes_to_login_and_unknown_item_is_404(client, as_user, site):
    assert client.get(_home(site)).status_code == 302
    assert as_user("admin").get(_item(site, "G99")).status_code == 404
    assert as_user("admin").get(reverse("archive:download", args=[999])).status_code == 404
    other = reverse("archive:home", args=[site["other"].pk, site["year"].label])
    assert as_user("admin").get(other).status_code == 404


@pytest.mark.parametrize("role", READERS + OUTSIDERS)
def test_the_built_archive_is_no_outsiders_download(client, site, role, folders):
    """The published archive (a county report) is downloaded by the county's readers only."""
    from junheng.web.documents.models import Document, JobKind
    from junheng.web.documents.services import documents_root

    path = documents_root() / "archive.zip"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    document = Document.objects.create(
        county=site["county"],
        year=site["year"],
        kind=JobKind.ARCHIVE,
        filename="示范县2026学年督导评估档案.zip",
        label="创建档案",
        path="archive.zip",
        size=22,
    )
    client.force_login(site["users"][role])
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == (200 if role in READERS else 404)
    page = client.get(_home(site))
    if role in READERS:
        assert "下载最近生成的档案包" in page.content.decode()
    else:
        assert page.status_code == 404
