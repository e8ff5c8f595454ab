"""Saving uploads for the web import: safe names, the accepted types, zip archives unpacked within
the intake's limits (no paths outside the folder, GBK names from Windows archivers), and the
importer's check without writing (`validate_sources`, its scope and the imported part)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from junheng.intake.importer import Scope, imported_part, validate_sources
from junheng.intake.writer import write_csv_folder, write_xlsx
from junheng.web.imports.uploads import (
    LOOSE_CSV_FOLDER,
    UploadRefused,
    safe_name,
    save_uploads,
)
from tests import builders


class FakeUpload:
    def __init__(self, name: str, content: bytes) -> None:
        self.name = name
        self.size = len(content)
        self._content = content

    def chunks(self, chunk_size: int | None = None):
        yield self._content


def _zip(members: dict[str, bytes], *, gbk: bool = False) -> bytes:
    buffer = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            if gbk:
                # What Windows' own archiver writes: GBK bytes and no UTF-8 flag. The member is
                # written under an ASCII name of the same length, whose bytes are then replaced.
                raw = name.encode("gbk")
                placeholder = f"{len(placeholders):0{len(raw)}d}"
                placeholders[placeholder.encode()] = raw
                archive.writestr(placeholder, content)
            else:
                archive.writestr(name, content)
    data = buffer.getvalue()
    for placeholder, raw in placeholders.items():
        data = data.replace(placeholder, raw)
    return data


def test_safe_names():
    assert safe_name("C:\\Users\\张三\\桌面\\全县.XLSX") == "全县.xlsx"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name('a<b>:"c"|?*.xlsx') == "abc.xlsx"
    assert safe_name("...") == "上传文件"
    assert safe_name(".xlsx") == "xlsx"  # a leading dot is dropped: never a hidden file
    assert len(safe_name("长" * 300 + ".xlsx")) == 125


def test_workbooks_csv_files_and_zips_become_sources(tmp_path):
    saved = save_uploads(
        [
            FakeUpload("全县.xlsx", b"PK-workbook"),
            FakeUpload("全县.xlsx", b"PK-second"),
            FakeUpload("schools.csv", b"school_id\n"),
            FakeUpload("segments.csv", b"school_id\n"),
            FakeUpload("各校.zip", _zip({"一校一册/甲校.xlsx": b"a", "数据/学校.csv": b"x"})),
        ],
        tmp_path,
    )
    assert saved.files == ["全县.xlsx", "全县.xlsx", "schools.csv", "segments.csv", "各校.zip"]
    assert saved.sources == [
        "uploads/全县.xlsx",
        "uploads/全县_2.xlsx",
        f"uploads/{LOOSE_CSV_FOLDER}",
        "uploads/甲校.xlsx",
        "uploads/各校_数据",
    ]
    assert (tmp_path / "uploads" / "全县_2.xlsx").read_bytes() == b"PK-second"
    assert (tmp_path / "uploads" / "各校_数据" / "学校.csv").read_bytes() == b"x"
    assert not (tmp_path / "各校.zip").exists()


def test_chinese_names_written_by_windows_archivers_are_read(tmp_path):
    archive = _zip({"城关小学.xlsx": b"a"}, gbk=True)
    assert zipfile.ZipFile(io.BytesIO(archive)).namelist() != ["城关小学.xlsx"]
    saved = save_uploads([FakeUpload("收回.zip", archive)], tmp_path)
    assert saved.sources == ["uploads/城关小学.xlsx"]


def test_archive_members_cannot_escape_the_folder(tmp_path):
    root = tmp_path / "run"
    saved = save_uploads([FakeUpload("a.zip", _zip({"../../逃逸.xlsx": b"a"}))], root)
    assert saved.sources == ["uploads/逃逸.xlsx"]
    assert not (tmp_path / "逃逸.xlsx").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (FakeUpload("旧表.xls", b"\xd0\xcf"), "只能上传 .xlsx 工作簿"),
        (FakeUpload("说明.zip", _zip({"说明.docx": b"a"})), "不是 .xlsx 工作簿或 .csv 文件"),
        (FakeUpload("坏.zip", b"PK\x03\x04 not really"), "不是有效的 .zip 压缩包"),
        (FakeUpload("空.zip", _zip({"__MACOSX/._a.xlsx": b"a"})), "没有 .xlsx 工作簿或 .csv 文件"),
    ],
)
def test_refused_uploads_keep_nothing(tmp_path, upload, message):
    with pytest.raises(UploadRefused, match=message):
        save_uploads([FakeUpload("好.xlsx", b"PK"), upload], tmp_path)
    assert not (tmp_path / "uploads").exists()


def test_archives_that_unpack_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("junheng.web.imports.uploads.MAX_UNPACKED_MB", 1)
    bomb = _zip({"大.csv": b"0" * (2**20 + 1)})
    with pytest.raises(UploadRefused, match="解压后超过 1 MB"):
        save_uploads([FakeUpload("大.zip", bomb)], tmp_path)


# ---------------------------------------------------------------------------------------------
# The importer's check without writing
# ---------------------------------------------------------------------------------------------


def _two_counties(tmp_path: Path) -> Path:
    data = builders.dataset(
        [
            builders.school("A1", county="甲县"),
            builders.school("A2", county="甲县"),
            builders.school("B1", county="乙县"),
        ],
        [builders.segment("A1"), builders.segment("A2"), builders.segment("B1")],
    )
    path = tmp_path / "两县.xlsx"
    write_xlsx(data, path, chinese_headers=True)
    return path


def test_scope_names_every_cell_outside_it(tmp_path):
    path = _two_counties(tmp_path)
    scope = Scope(
        counties=frozenset({"甲县"}),
        refused_schools=lambda ids: frozenset(ids & {"A2"}),
        county_expected="「甲县」",
        refused_expected="本县学校的标识码",
    )
    result = validate_sources([path], scope=scope)
    assert not result.ok
    found = [(e.sheet, e.cell, e.value, e.expected) for e in result.blocking]
    # 学校: A2 refused (A3), 乙县 named in C4; 县级指标: 乙县's facts named once (first row).
    assert ("学校", "A3", "A2", "本县学校的标识码") in found
    assert ("学校", "C4", "乙县", "「甲县」") in found
    county_rows = [f for f in found if f[0] == "县级指标"]
    assert len(county_rows) == 1 and county_rows[0][2] == "乙县"
    assert len(found) == 3


def test_validation_over_an_existing_dataset_and_the_imported_part(tmp_path):
    base = builders.dataset(
        [builders.school("A1", county="甲县"), builders.school("A2", county="甲县")],
        [builders.segment("A1"), builders.segment("A2", students=300)],
    )
    part = builders.dataset(
        [builders.school("A1", county="甲县")], [builders.segment("A1", students=520)]
    )
    path = tmp_path / "一校.xlsx"
    write_xlsx(type(part).build(part.schools, part.segments), path, chinese_headers=True)
    folder = tmp_path / "folder"
    write_csv_folder(base, folder)
    result = validate_sources([path], existing=base)
    assert result.ok, [e.message for e in result.errors]
    assert result.imported_schools == frozenset({"A1"}) and result.replaced_counties == frozenset()
    merged = result.dataset.segments.sort("school_id")["students"].to_list()
    assert merged == [520, 300]  # A2 kept from the base
    loaded = imported_part(result)
    assert loaded.schools["school_id"].to_list() == ["A1"]
    assert loaded.segments["students"].to_list() == [520]
    assert loaded.county_facts.height == 0  # the county's facts were not in the file
    assert result.dataset.county_facts.height == 1
    # Nothing was written next to the inputs.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "一校.xlsx"]
    assert pl.read_csv(folder / "segments.csv")["students"].to_list() == [500, 300]
