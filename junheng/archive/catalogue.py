"""The inspection archive as one zip: a folder per part and item holding its files, the index
workbook 档案索引.xlsx and the 档案目录.docx that list every file with its part, item, requirement
and page count where it can be known.

Every entry is written exactly once, in the order given; two files that would share a name in a
folder are told apart as "name (2).pdf", "name (3).pdf" (compared without case, as Windows does
when the zip is unpacked). The zip is written beside its target and renamed when complete, so a
reader never finds half an archive. Pure apart from the files it reads and writes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from junheng.files import atomic_file
from junheng.reports import docx_style as ds
from junheng.reports.xlsx_cells import write, write_row

INDEX_NAME = "档案索引.xlsx"
CONTENTS_NAME = "档案目录.docx"
GENERAL_FOLDER = "综合材料"
"""Folder of the documents that belong to no single item (自评报告, 附表, 台账 …)."""

# Characters Windows refuses in file and folder names, and the path separators.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Formats that are compressed already: deflating them again costs time and gains nothing.
_STORED_HEADS = (b"\xff\xd8", b"\x89PNG", b"PK\x03\x04")
_HEAD = 8


@dataclass(frozen=True)
class Entry:
    """One file to put in the archive."""

    path: Path
    """The file on disk (any name; its type is read from its content)."""
    name: str
    """The file's name in the archive (made unique within its folder)."""
    folder: tuple[str, ...]
    """Folders from the archive's root: ("二、政府保障程度", "G1 县域学校布局规划")."""
    part: str = ""
    """The part people read in the index (政府保障程度); empty for general documents."""
    item: str = ""
    """The item people read (G1 县级人民政府制定义务教育学校布局规划)."""
    requirement: str = ""
    """The requirement the file answers, or what a generated document is (自评报告)."""
    note: str = ""
    """Who uploaded it and when, or a remark."""


@dataclass(frozen=True)
class Placed:
    """An entry as it was written."""

    entry: Entry
    arcname: str
    """Its path inside the zip."""
    pages: int | None
    """Page count where it can be known (PDF, image, Word with recorded pages)."""
    size: int


@dataclass(frozen=True)
class Completeness:
    """One requirement of the standard and whether the archive holds it (the index's second
    sheet)."""

    part: str
    item: str
    requirement: str
    source: str
    provided: bool
    where: str = ""
    """Which files answer it, or why it is missing."""


@dataclass(frozen=True)
class Archive:
    path: Path
    placed: tuple[Placed, ...] = ()
    extra: tuple[str, ...] = field(default=(INDEX_NAME, CONTENTS_NAME))
    """The generated index files at the root of the zip."""


class ArchiveError(ValueError):
    """An entry that cannot go into the archive; the message is for people (Chinese)."""


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def clean_component(text: str, default: str = "未命名") -> str:
    """A folder or file name without characters file systems refuse, NFC-normalised."""
    text = _UNSAFE.sub("", unicodedata.normalize("NFC", text)).strip(" .")
    return text or default


def part_folder(index: int, name: str) -> str:
    """ "二、政府保障程度" for the second part."""
    return f"{ds.chinese_numeral(index)}、{clean_component(name)}"


def numbered(name: str, n: int) -> str:
    """ "说明.pdf" with n = 2 → "说明 (2).pdf"."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{suffix}"


class _Names:
    """Unique names per folder, compared without case."""

    def __init__(self, reserved: Sequence[str] = ()) -> None:
        self._taken: set[str] = {r.casefold() for r in reserved}

    def claim(self, folder: tuple[str, ...], name: str) -> str:
        base = "/".join(folder)
        candidate, n = name, 1
        while f"{base}/{candidate}".casefold() in self._taken:
            n += 1
            candidate = numbered(name, n)
        self._taken.add(f"{base}/{candidate}".casefold())
        return f"{base}/{candidate}" if base else candidate


# ---------------------------------------------------------------------------------------------
# Page counts
# ---------------------------------------------------------------------------------------------

_PAGES_DICT = re.compile(rb"/Type\s*/Pages\b")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def _dict_counts(data: bytes) -> list[int]:
    """/Count of every /Type /Pages dictionary in `data` (the dictionary's text around it)."""
    counts = []
    for match in _PAGES_DICT.finditer(data):
        start = data.rfind(b"<<", 0, match.start())
        end = data.find(b">>", match.end())
        window = data[start if start >= 0 else match.start() : end if end >= 0 else len(data)]
        found = _COUNT.search(window)
        if found is None:
            # /Count written before /Type in a nested dictionary: look a little wider
            found = _COUNT.search(data, max(0, match.start() - 200), match.end() + 200)
        if found is not None:
            counts.append(int(found.group(1)))
    return counts


def pdf_pages(data: bytes) -> int | None:
    """Pages of a PDF: the /Count of its page tree's root, the largest /Count of any /Pages
    dictionary (a subtree counts only its own pages). Page trees inside compressed object
    streams (PDF 1.5 and later) are searched after inflating the streams; None when no page
    tree is found (an encrypted or broken file)."""
    counts = _dict_counts(data)
    if not counts:
        for match in _STREAM.finditer(data):
            try:
                inflated = zlib.decompressobj().decompress(match.group(1), 50 * 2**20)
            except zlib.error:
                continue
            counts.extend(_dict_counts(inflated))
    return max(counts) if counts else None


def _docx_pages(path: Path) -> int | None:
    """The <Pages> Word recorded in docProps/app.xml at the last save, if any."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "word/document.xml" not in archive.namelist():
                return None
            try:
                info = archive.getinfo("docProps/app.xml")
            except KeyError:
                return None
            if info.file_size > 2**20:
                return None
            text = archive.read(info)
    except (zipfile.BadZipFile, OSError):
        return None
    found = re.search(rb"<(?:\w+:)?Pages>\s*(\d+)\s*</(?:\w+:)?Pages>", text)
    return int(found.group(1)) if found else None


def page_count(path: Path) -> int | None:
    """Pages of a file by its content: PDF from its page tree, an image 1, a Word document
    from its recorded properties; None where unknown (workbooks, others)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if head.startswith(b"%PDF"):
        return pdf_pages(path.read_bytes())
    if head.startswith((b"\xff\xd8", b"\x89PNG")):
        return 1
    if head.startswith(b"PK\x03\x04"):
        return _docx_pages(path)
    return None


# ---------------------------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------------------------


def _compression(path: Path) -> int:
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    return zipfile.ZIP_STORED if head.startswith(_STORED_HEADS) else zipfile.ZIP_DEFLATED


def _location(placed: Placed) -> str:
    return str(PurePosixPath(placed.arcname).parent)


def _size_text(size: int) -> str:
    return f"{size / 1024:,.1f}"


def write_index(
    placed: Sequence[Placed], completeness: Sequence[Completeness], path: Path, title: str
) -> Path:
    """档案索引.xlsx: every file (sheet 文件目录) and every requirement with whether the archive
    holds it (sheet 材料完整性); every text written as text."""
    import xlsxwriter

    with atomic_file(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp))
        bold = workbook.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1})
        titled = workbook.add_format({"bold": True, "font_size": 14})
        sheet = workbook.add_worksheet("文件目录")
        write(sheet, 0, 0, f"{title}档案索引", titled)
        header = [
            *("序号", "部分", "指标", "材料要求", "文件名"),
            *("档案中的位置", "页数", "大小（KB）", "说明"),
        ]
        write_row(sheet, 1, 0, header, bold)
        for n, p in enumerate(placed, 1):
            e = p.entry
            write_row(
                sheet,
                n + 1,
                0,
                [
                    n,
                    e.part,
                    e.item,
                    e.requirement,
                    PurePosixPath(p.arcname).name,
                    _location(p),
                    p.pages,
                    round(p.size / 1024, 1),
                    e.note,
                ],
            )
        for col, width in enumerate([6, 14, 36, 30, 36, 40, 6, 10, 30]):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(2, 0)
        sheet.autofilter(1, 0, max(1, len(placed) + 1), len(header) - 1)
        if completeness:
            check = workbook.add_worksheet("材料完整性")
            write(check, 0, 0, f"{title}佐证材料完整性", titled)
            head2 = ["部分", "指标", "材料要求", "依据", "是否提供", "文件或说明"]
            write_row(check, 1, 0, head2, bold)
            for n, c in enumerate(completeness, 2):
                write_row(
                    check,
                    n,
                    0,
                    [
                        *(c.part, c.item, c.requirement, c.source),
                        "已提供" if c.provided else "缺少",
                        c.where,
                    ],
                )
            for col, width in enumerate([14, 36, 34, 26, 10, 50]):
                check.set_column(col, col, width)
            check.freeze_panes(2, 0)
        workbook.close()
    return path


def write_contents(
    placed: Sequence[Placed], path: Path, title: str, unit: str, day: dt.date
) -> Path:
    """档案目录.docx in the layout of the other reports: one table per top folder (part, or the
    general documents) listing each file with its item, requirement and page count."""
    w = ds.DocumentWriter()
    doc = w.doc
    ds.add_page_numbers(doc.sections[0])
    ds.add_title(doc, f"{title}档案目录")
    pages = [p.pages for p in placed if p.pages is not None]
    w.p(
        f"本档案共 {len(placed)} 个文件，按评估指标分文件夹存放；"
        f"已知页数的文件 {len(pages)} 个，共 {sum(pages)} 页。"
        "页数空白的文件（表格等）以打开后的实际页数为准。"
    )
    groups: dict[str, list[tuple[int, Placed]]] = {}
    for n, p in enumerate(placed, 1):
        top = p.entry.folder[0] if p.entry.folder else ""
        groups.setdefault(top, []).append((n, p))
    for top, rows in groups.items():
        heading = top.split("、", 1)[-1] if "、" in top else (top or "其他")
        w.h(heading, 1)
        w.table(
            f"{heading}文件目录",
            ["序号", "指标", "材料要求", "文件名", "页数"],
            [
                [
                    n,
                    p.entry.item or ds.MISSING_TEXT,
                    p.entry.requirement or ds.MISSING_TEXT,
                    PurePosixPath(p.arcname).name,
                    "" if p.pages is None else p.pages,
                ]
                for n, p in rows
            ],
            [1.2, 4.4, 4.0, 4.8, 1.2],
            left=(1, 2, 3),
        )
    ds.add_paragraph(doc, f"{unit}　{ds.chinese_date(day, with_day=True)}", indent=False)
    ds.save(doc, path)
    return path


def write_archive(
    entries: Sequence[Entry],
    target: Path,
    *,
    title: str,
    unit: str,
    day: dt.date,
    completeness: Sequence[Completeness] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Archive:
    """Write every entry once into the zip `target`, then the index workbook and the 档案目录
    at its root; `title` names the archive (示范县2026学年), `unit` signs the 目录.

    The zip appears at `target` only when complete. `progress(done, total)` is called after
    each file; an entry whose file is missing raises `ArchiveError` naming it."""
    names = _Names(reserved=(INDEX_NAME, CONTENTS_NAME))
    placed: list[Placed] = []
    total = len(entries)
    with (
        atomic_file(target) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        for done, entry in enumerate(entries, 1):
            folder = tuple(clean_component(f) for f in entry.folder)
            name = clean_component(entry.name, default="文件")
            arcname = names.claim(folder, name)
            try:
                size = entry.path.stat().st_size
                pages = page_count(entry.path)
                archive.write(entry.path, arcname, compress_type=_compression(entry.path))
            except OSError:
                raise ArchiveError(
                    f"文件“{entry.name}”（{entry.item or entry.requirement}）读取失败，"
                    "可能已被删除；请重新上传后再生成档案"
                ) from None
            placed.append(Placed(entry, arcname, pages, size))
            if progress is not None:
                progress(done, total)
        with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".archive-") as folder:
            scratch = Path(folder)
            index = write_index(placed, completeness, scratch / INDEX_NAME, title)
            archive.write(index, INDEX_NAME)
            contents = write_contents(placed, scratch / CONTENTS_NAME, title, unit, day)
            archive.write(contents, CONTENTS_NAME)
    return Archive(target, tuple(placed))
