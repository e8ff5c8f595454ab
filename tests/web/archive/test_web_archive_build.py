"""build_archive, the archive job's runner: every uploaded file exactly once in its part and item
folder, duplicate names numbered, the generated documents and issued policy documents beside
them, an index that lists every file, the size limit refused in Chinese, and no archive when a
file cannot be read. The report writers are replaced by small files (their own tests cover them)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.archive.catalogue import CONTENTS_NAME, INDEX_NAME
from junheng.web.archive import build
from junheng.web.archive.models import ArchiveFile
from junheng.web.documents import generate
from junheng.web.documents.models import Job, JobKind
from junheng.web.documents.runner import JobContext, JobFailed, Produced
from junheng.web.rectification import services as rectification
from tests.web.archive.test_web_archive_pages import JPEG, PDF, _upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def writers(monkeypatch):
    """Small stand-ins for the report writers, recording what they were asked for."""
    calls = []

    def produced(folder, name, filename, label, data=b"PK\x03\x04 stand-in"):
        path = folder / name
        path.write_bytes(data)
        return [Produced(path, filename, label)]

    def evaluation(snapshot):
        calls.append("evaluation")
        return ("dataset", "evaluation")

    def self_evaluation(snapshot, folder, *, evaluated=None):
        # Word only: the writer makes no PDF (the 自评报告 job converts as a step of its own)
        calls.append(("self_evaluation", evaluated))
        return produced(folder, "se.docx", "示范县2026学年自评报告.docx", "自评报告（Word）")

    def tables(snapshot, folder, *, evaluated=None):
        calls.append("tables")
        return produced(folder, "t.xlsx", "示范县2026学年评估附表.xlsx", "评估附表（Excel）")

    def books(snapshot, folder, progress=None, *, evaluated=None):
        calls.append("books")
        progress(1, 1)
        return produced(folder, "b.zip", "示范县2026学年一校一册.zip", "一校一册（打包）")

    def ledger(county, year, folder):
        calls.append("ledger")
        return produced(folder, "l.xlsx", "示范县2026学年整改台账.xlsx", "整改台账（Excel）")

    monkeypatch.setattr(generate, "snapshot_evaluation", evaluation)
    monkeypatch.setattr(generate, "write_self_evaluation_files", self_evaluation)
    monkeypatch.setattr(generate, "write_tables_file", tables)
    monkeypatch.setattr(generate, "write_school_books_files", books)
    monkeypatch.setattr(generate, "write_ledger_file", ledger)
    return calls


def _run(site, tmp_path):
    job = Job.objects.create(
        county=site["county"],
        year=site["year"],
        kind=JobKind.ARCHIVE,
        snapshot=site["snapshot"],
        requested_by=site["users"]["admin"],
    )
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    return build.build_archive(JobContext(job, workdir)), job


def _uploads(client, site):
    # G1 gets two files named alike for two requirements, R1 one, Q9 one as 其他材料
    _upload(client, site, SimpleUploadedFile("规划.pdf", PDF), requirement="layout-plan")
    _upload(client, site, SimpleUploadedFile("规划.pdf", PDF + b"%2"), requirement="implementation")
    _upload(client, site, SimpleUploadedFile("花名册.jpg", JPEG), item="R1", requirement="roster")
    _upload(client, site, SimpleUploadedFile("报告.pdf", PDF + b"%3"), item="Q9", requirement="")


def test_archive_holds_each_upload_once_and_the_index_lists_all(as_user, site, writers, tmp_path):
    client = as_user("admin")
    _uploads(client, site)
    rectification.save_policy(
        site["county"],
        "layout-plan",
        status="已印发",
        document_number="示政〔2025〕3号",
        issued_on=None,
        files=[SimpleUploadedFile("布局规划.pdf", PDF + b"%4")],
        user=site["users"]["admin"],
    )
    produced, job = _run(site, tmp_path)
    # 4 uploads, 1 policy document, 4 made by the system
    assert [(p.filename, p.label) for p in produced] == [
        ("示范县2026学年督导评估档案.zip", "创建档案（9 个文件）")
    ]
    # the report writers got the one re-evaluation; no PDF conversion inside the archive
    assert writers[0] == "evaluation"
    assert ("self_evaluation", ("dataset", "evaluation")) in writers
    with zipfile.ZipFile(produced[0].path) as z:
        names = z.namelist()
        index = openpyxl.load_workbook(io.BytesIO(z.read(INDEX_NAME)))
        contents = z.read(CONTENTS_NAME)
        data = {n: z.read(n) for n in names}
    g1 = "二、政府保障程度/G1 县域学校布局规划/"
    assert names == [
        "一、资源配置/R1 高于规定学历教师/花名册.jpg",
        g1 + "规划.pdf",
        g1 + "规划 (2).pdf",  # same name, other requirement: numbered
        "三、教育质量/Q9 质量监测/报告.pdf",
        "六、政策文件/义务教育学校布局规划/布局规划.pdf",
        "七、综合材料/示范县2026学年自评报告.docx",
        "七、综合材料/示范县2026学年评估附表.xlsx",
        "七、综合材料/示范县2026学年一校一册.zip",
        "七、综合材料/示范县2026学年整改台账.xlsx",
        INDEX_NAME,
        CONTENTS_NAME,
    ]
    assert len(contents) > 0
    # each upload's bytes are in the archive exactly once, the first 规划.pdf under its own name
    assert data[g1 + "规划.pdf"] == PDF and data[g1 + "规划 (2).pdf"] == PDF + b"%2"
    upload_bytes = sorted([PDF, PDF + b"%2", JPEG, PDF + b"%3"])
    archived = sorted(data[n] for n in names[:4])
    assert archived == upload_bytes
    rows = list(index["文件目录"].iter_rows(min_row=3, values_only=True))
    assert [f"{r[5]}/{r[4]}" for r in rows] == names[:9]
    assert rows[1][1:4] == (
        "政府保障程度",
        "G1 县级人民政府制定义务教育学校布局规划",
        "县域义务教育学校布局规划文件",
    )
    assert rows[3][3] == "其他材料"
    assert rows[4][2:4] == ("G1", "义务教育学校布局规划")  # the policy document feeds G1
    assert rows[0][8].startswith("王主任 ") and rows[0][8].endswith(" 上传")
    check = {
        (r[1], r[2]): (r[4], r[5])
        for r in index["材料完整性"].iter_rows(min_row=3, values_only=True)
    }
    # 71 requirements, one row each
    assert len(check) == 71
    g1_name = "G1 县级人民政府制定义务教育学校布局规划"
    assert check[(g1_name, "县域义务教育学校布局规划文件")] == ("已提供", "已上传 1 个文件")
    r1 = "R1 每百名学生拥有高于规定学历教师数"
    assert check[(r1, "一校一册")] == ("已提供", "七、综合材料/示范县2026学年一校一册.zip")
    assert check[(r1, "教育事业统计报表（专任教师学历）")] == (
        "已提供",
        "七、综合材料/示范县2026学年评估附表.xlsx",
    )
    # no survey was run: S1's results are missing, with the reason
    assert check[("S1 社会认可度达到85%以上", "社会认可度调查结果")] == (
        "缺少",
        "本学年还没有社会认可度调查：调查后由系统导出结果",
    )
    job.refresh_from_db()
    assert (job.done, job.total) == (9, 9)


def test_published_school_books_are_reused(as_user, site, writers, tmp_path, folders):
    from junheng.web.documents.models import Document
    from junheng.web.documents.services import documents_root

    path = documents_root() / "books.zip"
    path.write_bytes(b"PK\x03\x04 published books")
    Document.objects.create(
        county=site["county"],
        year=site["year"],
        kind=JobKind.SCHOOL_BOOKS,
        snapshot=site["snapshot"],
        filename="示范县2026学年一校一册.zip",
        label="一校一册",
        path="books.zip",
        size=path.stat().st_size,
    )
    produced, _ = _run(site, tmp_path)
    assert "books" not in writers
    with zipfile.ZipFile(produced[0].path) as z:
        assert z.read("七、综合材料/示范县2026学年一校一册.zip") == b"PK\x03\x04 published books"


def test_size_limit_is_refused_in_chinese(as_user, site, writers, tmp_path, monkeypatch):
    _uploads(as_user("admin"), site)
    monkeypatch.setattr(build, "max_archive_bytes", lambda: 2**20)
    big = tmp_path / "big"
    big.write_bytes(b"%PDF" + b"0" * 2**20)
    real = generate.write_ledger_file

    def big_ledger(county, year, folder):
        produced = real(county, year, folder)
        produced[0].path.write_bytes(big.read_bytes())
        return produced

    monkeypatch.setattr(generate, "write_ledger_file", big_ledger)
    with pytest.raises(
        JobFailed, match=r"档案材料共 1 MB，超过档案包的上限 1 MB；请删除重复或过大的文件"
    ):
        _run(site, tmp_path)
    assert not (tmp_path / "work" / "archive.zip").exists()


def test_a_lost_file_fails_the_job_and_leaves_no_archive(as_user, site, writers, tmp_path, folders):
    _uploads(as_user("admin"), site)
    row = ArchiveFile.objects.get(item="R1")
    (folders / "evidence" / row.path).unlink()
    with pytest.raises(
        JobFailed, match=r"文件“花名册\.jpg”（R1 每百名学生拥有高于规定学历教师数）读取失败"
    ):
        _run(site, tmp_path)
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["generated"]


def test_no_evaluation_no_archive(site, writers, tmp_path):
    from junheng.web.evaluation.models import Snapshot

    job = Job.objects.create(county=site["other"], year=site["year"], kind=JobKind.ARCHIVE)
    assert not Snapshot.objects.filter(county=site["other"]).exists()
    with pytest.raises(JobFailed, match="邻县2026学年还没有评估结果：请先“重新评估”，再生成档案包"):
        build.build_archive(JobContext(job, tmp_path))


def test_the_button_starts_the_archive_job(as_user, site, monkeypatch):
    from junheng.web.documents import services as documents

    started = []
    monkeypatch.setattr(
        documents,
        "start_job",
        lambda county, year, kind, user, **kw: started.append((county, kind, kw)),
    )
    home = reverse("archive:home", args=[site["county"].pk, site["year"].label])
    page = as_user("admin").get(home).content.decode()
    action = reverse("documents:generate", args=[site["county"].pk, site["year"].label])
    assert f'action="{action}"' in page and 'value="archive"' in page
    as_user("admin").post(action, {"kind": "archive", "next": home})
    assert started == [(site["county"], "archive", {"snapshot": site["snapshot"], "params": {}})]


def test_real_documents_and_survey_results(as_user, site, tmp_path, monkeypatch):
    """The report writers as they are (only the slow 一校一册 stubbed), with a survey run:
    S1's results are in the archive and counted as provided."""
    import datetime as dt

    from django.utils import timezone

    from junheng.web.surveys import services as surveys

    now = timezone.now()
    surveys.create_survey(
        site["county"],
        site["year"],
        None,
        title="2026 年社会认可度调查",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        population=352_000,
    )

    def books(snapshot, folder, progress=None, *, evaluated=None):
        path = folder / "books.zip"
        path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        return [Produced(path, "示范县2026学年一校一册.zip", "一校一册")]

    monkeypatch.setattr(generate, "write_school_books_files", books)
    _upload(as_user("admin"), site, SimpleUploadedFile("规划.pdf", PDF), requirement="layout-plan")
    produced, _ = _run(site, tmp_path)
    with zipfile.ZipFile(produced[0].path) as z:
        names = z.namelist()
        index = openpyxl.load_workbook(io.BytesIO(z.read(INDEX_NAME)))
        survey = openpyxl.load_workbook(
            io.BytesIO(z.read("七、综合材料/示范县2026学年社会认可度调查结果.xlsx"))
        )
    assert names == [
        "二、政府保障程度/G1 县域学校布局规划/规划.pdf",
        "七、综合材料/示范县2026学年自评报告.docx",
        "七、综合材料/示范县2026学年评估附表.xlsx",
        "七、综合材料/示范县2026学年一校一册.zip",
        "七、综合材料/示范县2026学年整改台账.xlsx",
        "七、综合材料/示范县2026学年社会认可度调查结果.xlsx",
        INDEX_NAME,
        CONTENTS_NAME,
    ]
    assert survey.sheetnames
    check = {
        (r[1], r[2]): (r[4], r[5])
        for r in index["材料完整性"].iter_rows(min_row=3, values_only=True)
    }
    assert check[("S1 社会认可度达到85%以上", "社会认可度调查结果")] == (
        "已提供",
        "七、综合材料/示范县2026学年社会认可度调查结果.xlsx",
    )


def test_the_worker_publishes_the_archive(as_user, site, writers, folders):
    """Through the documents app's job runner: the zip is published as the job's document."""
    from junheng.web.documents import services as documents
    from junheng.web.documents.models import Document, JobStatus

    _uploads(as_user("admin"), site)
    job = Job.objects.create(
        county=site["county"],
        year=site["year"],
        kind=JobKind.ARCHIVE,
        snapshot=site["snapshot"],
        requested_by=site["users"]["admin"],
    )
    documents.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    document = Document.objects.get(job=job)
    assert (document.filename, document.label) == (
        "示范县2026学年督导评估档案.zip",
        "创建档案（8 个文件）",  # 4 uploads and 4 documents the system made
    )
    with zipfile.ZipFile(documents.document_path(document)) as z:
        assert len(z.namelist()) == 8 + 2  # and the index and the 目录
