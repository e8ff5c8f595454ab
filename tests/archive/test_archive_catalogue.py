"""The archive zip: every entry once in its part and item folder, duplicate names numbered, an
index workbook and a 档案目录 listing them all with page counts where known, written atomically."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from junheng.archive import catalogue
from junheng.archive.catalogue import (
    CONTENTS_NAME,
    INDEX_NAME,
    ArchiveError,
    Completeness,
    Entry,
    page_count,
    part_folder,
    pdf_pages,
    write_archive,
)
from tests.reports.docx_reading import all_text
from tests.reports.xlsx_scan import EVIL, scan_workbook

DAY = dt.date(2026, 12, 7)
G1 = ("二、政府保障程度", "G1 县域学校布局规划")


def pdf(pages: int) -> bytes:
    kids = " ".join(f"{n + 3} 0 R" for n in range(pages))
    objects = [
        "1 0 obj<</Type /Catalog /Pages 2 0 R>>endobj",
        f"2 0 obj<</Type /Pages /Kids [{kids}] /Count {pages}>>endobj",
    ]
    objects += [f"{n + 3} 0 obj<</Type /Page /Parent 2 0 R>>endobj" for n in range(pages)]
    return ("%PDF-1.4\n" + "\n".join(objects) + "\n%%EOF").encode()


def docx_with_pages(pages: int | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if pages is not None:
            z.writestr(
                "docProps/app.xml",
                f'<Properties xmlns="x"><Pages>{pages}</Pages><Words>10</Words></Properties>',
            )
    return buffer.getvalue()


def test_page_counts_by_content(tmp_path):
    cases = {
        "a": pdf(3),
        "b": b"\xff\xd8\xff\xe0jpeg",
        "c": b"\x89PNG\r\n\x1a\npng",
        "d": docx_with_pages(12),
        "e": docx_with_pages(None),
        "f": b"plain text",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    counts = {name: page_count(tmp_path / name) for name in cases}
    assert counts == {"a": 3, "b": 1, "c": 1, "d": 12, "e": None, "f": None}


def test_pdf_pages_root_count_and_compressed_object_streams():
    # a tree of 5 pages split 2 + 3 under the root: the root's /Count (5) is the largest
    tree = (
        b"%PDF-1.5\n1 0 obj<</Type /Pages /Kids [2 0 R 3 0 R] /Count 5>>endobj\n"
        b"2 0 obj<</Type /Pages /Parent 1 0 R /Count 2>>endobj\n"
        b"3 0 obj<</Count 3 /Type /Pages /Parent 1 0 R>>endobj"
    )
    assert pdf_pages(tree) == 5
    # the page tree inside a deflated object stream (PDF 1.5 and later)
    inner = zlib.compress(b"<</Type /Pages /Kids [4 0 R] /Count 7>>")
    packed = b"%PDF-1.5\n5 0 obj<</Type /ObjStm /Filter /FlateDecode>>stream\n" + inner
    assert pdf_pages(packed + b"\nendstream\nendobj") == 7
    assert pdf_pages(b"%PDF-1.4 nothing") is None


def test_part_folder_names():
    assert part_folder(2, "政府保障程度") == "二、政府保障程度"
    assert catalogue.clean_component('a:b*c?"d') == "abcd"
    assert catalogue.numbered("说明.pdf", 2) == "说明 (2).pdf"
    assert catalogue.numbered("说明", 3) == "说明 (3)"


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    paths = {}
    for name, data in {"p": pdf(2), "j": b"\xff\xd8\xff\xe0x", "d": docx_with_pages(4)}.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def _entries(files):
    return [
        Entry(
            files["p"], "布局规划.pdf", G1, "政府保障程度", "G1 布局规划", "布局规划文件", "张三"
        ),
        # the same name again, differing only in case: numbered, not overwritten
        Entry(files["p"], "布局规划.PDF", G1, "政府保障程度", "G1 布局规划", "布局规划文件"),
        Entry(files["j"], "布局规划.pdf", G1, "政府保障程度", "G1 布局规划", "实施情况"),
        Entry(
            files["d"],
            "布局规划.pdf",
            ("一、资源配置", "R1 高于规定学历教师"),
            "资源配置",
            "R1 x",
            "花名册",
        ),
        Entry(files["j"], EVIL, ("综合材料",), "", "", "自评报告"),
    ]


def test_archive_holds_every_entry_once_and_lists_them_all(files, tmp_path):
    target = tmp_path / "out" / "档案.zip"
    seen = []
    done = write_archive(
        _entries(files),
        target,
        title="示范县2026学年",
        unit="示范县教育体育局",
        day=DAY,
        completeness=[
            Completeness(
                "政府保障程度", "G1 布局规划", "布局规划文件", "第六条（一）", True, "3 个文件"
            ),
            Completeness("政府保障程度", "G2 四统一", "四统一文件", "第六条（二）", False, "缺少"),
        ],
        progress=lambda n, total: seen.append((n, total)),
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        assert names == [
            "二、政府保障程度/G1 县域学校布局规划/布局规划.pdf",
            "二、政府保障程度/G1 县域学校布局规划/布局规划 (2).PDF",
            "二、政府保障程度/G1 县域学校布局规划/布局规划 (3).pdf",
            "一、资源配置/R1 高于规定学历教师/布局规划.pdf",
            # the name lost its ":", "/" and '"' (file systems refuse them), the rest kept
            "综合材料/=HYPERLINK(httpevil.example,点我)",
            INDEX_NAME,
            CONTENTS_NAME,
        ]
        assert z.read(names[1]) == files["p"].read_bytes()
        index = z.read(INDEX_NAME)
        contents = z.read(CONTENTS_NAME)
    assert [p.pages for p in done.placed] == [2, 2, 1, 4, 1]
    book = openpyxl.load_workbook(io.BytesIO(index))
    rows = list(book["文件目录"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5
    assert [r[4] for r in rows] == [n.rsplit("/", 1)[-1] for n in names[:5]]
    assert rows[0][:8] == (
        1,
        "政府保障程度",
        "G1 布局规划",
        "布局规划文件",
        "布局规划.pdf",
        "二、政府保障程度/G1 县域学校布局规划",
        2,
        round(len(pdf(2)) / 1024, 1),  # 大小（KB）to one decimal
    )
    assert rows[0][8] == "张三"
    check = list(book["材料完整性"].iter_rows(min_row=3, values_only=True))
    assert [r[4] for r in check] == ["已提供", "缺少"]
    assert scan_workbook(index).formulas == []
    doc = Document(io.BytesIO(contents))
    text = all_text(doc)
    assert "示范县2026学年档案目录" in text
    assert "本档案共 5 个文件" in text and "共 10 页" in text  # 2 + 2 + 1 + 4 + 1
    for name in names[:5]:
        assert name.rsplit("/", 1)[-1] in text
    # one table per top folder, in the order first met
    assert [len(t.rows) - 1 for t in doc.tables] == [3, 1, 1]


def test_a_failed_archive_leaves_no_file(files, tmp_path):
    target = tmp_path / "档案.zip"
    target.write_bytes(b"the previous archive")
    gone = tmp_path / "gone.pdf"
    entries = [*_entries(files), Entry(gone, "x.pdf", G1, "政府保障程度", "G1 布局规划", "文件")]
    with pytest.raises(ArchiveError, match=r"文件“x\.pdf”（G1 布局规划）读取失败"):
        write_archive(entries, target, title="示范县", unit="教育局", day=DAY)
    assert target.read_bytes() == b"the previous archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "档案.zip"]


def test_empty_archive_still_has_its_index(tmp_path):
    target = tmp_path / "a.zip"
    write_archive([], target, title="示范县", unit="教育局", day=DAY)
    with zipfile.ZipFile(target) as z:
        assert z.namelist() == [INDEX_NAME, CONTENTS_NAME]
    assert Path(target).stat().st_size > 0
