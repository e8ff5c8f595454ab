"""Uploaded files into a private folder: names made safe, types and sizes checked, zip archives
unpacked with the intake's limits, so that the importer only ever sees ordinary local files.

A source is what the importer reads: a workbook, or a folder of CSV files (the CSV files
uploaded loose, or those of one folder inside a zip archive).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from junheng.intake import guard
from junheng.intake.errors import IntakeError

ALLOWED_SUFFIXES = (".xlsx", ".csv", ".zip")
MAX_FILE_MB = guard.limits().max_file_mb
MAX_UNPACKED_MB = guard.limits().max_unpacked_mb
MAX_ARCHIVE_MEMBERS = guard.limits().max_archive_members
"""Files in one zip archive (the limits are the intake's, `junheng/intake/limits.yaml`)."""
LOOSE_CSV_FOLDER = "上传的CSV文件"
"""The folder the CSV files uploaded one by one are read from (named in messages)."""
_CHUNK = 2**20
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_IGNORED_MEMBERS = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


class UploadRefused(Exception):
    """An upload that is not imported at all; the message is for the user (Chinese)."""


class Upload(Protocol):
    """What Django's UploadedFile offers and this module uses."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


def safe_name(name: str, default: str = "上传文件") -> str:
    """The last part of an uploaded file's name without characters file systems refuse.

    Browsers on Windows may send a whole path; names are normalised (NFC) so that the same
    Chinese name typed on two systems compares equal.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip(" .")[:120] or default
    return f"{stem}.{suffix.lower()}" if suffix else stem


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it: Windows archivers store Chinese names in GBK
    without the UTF-8 flag, which zipfile then decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _mb(limit: int) -> int:
    return limit * 2**20


@dataclass
class Saved:
    """The files of one upload, saved under `root`."""

    root: Path
    files: list[str] = field(default_factory=list)
    """The names as uploaded (made safe), for the history."""
    sources: list[str] = field(default_factory=list)
    """Paths relative to `root` of what the importer reads."""
    _used: set[str] = field(default_factory=set)

    def _unique(self, folder: Path, name: str) -> Path:
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        candidate, n = name, 2
        while str(folder / candidate).lower() in self._used:
            candidate = f"{stem}_{n}.{suffix}" if suffix else f"{stem}_{n}"
            n += 1
        self._used.add(str(folder / candidate).lower())
        return folder / candidate

    def _add_source(self, path: Path) -> None:
        relative = str(path.relative_to(self.root))
        if relative not in self.sources:
            self.sources.append(relative)


def _copy_limited(chunks: Iterable[bytes], target: Path, limit: int, name: str) -> None:
    """Copy at most `limit` bytes; a longer stream (or a lying zip header) refuses the upload."""
    written = 0
    with target.open("wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise UploadRefused(f"“{name}”超过 {MAX_FILE_MB} MB，未导入任何数据。")
            out.write(chunk)


def _refusal(error: IntakeError) -> str:
    return f"{error.message}；未导入任何数据。"


def _check_workbook(path: Path, name: str) -> None:
    """Refuse a zip bomb or a sheet past the row limit as it arrives, before anything reads it
    (a school's import reads the book to see whose it is)."""
    refused = guard.check_archive(path, name)
    if refused is not None:
        raise UploadRefused(_refusal(refused))


def _unpack(archive_path: Path, archive_name: str, saved: Saved, uploads: Path) -> None:
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused(
            f"“{archive_name}”不是有效的 .zip 压缩包（{type(exc).__name__}），未导入任何数据。"
        ) from exc
    stem = safe_name(archive_name.rpartition(".")[0] or archive_name, "压缩包")
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        members = [m for m in members if not any(part in m.filename for part in _IGNORED_MEMBERS)]
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise UploadRefused(
                f"“{archive_name}”中有 {len(members)} 个文件，超过 {MAX_ARCHIVE_MEMBERS} 个，"
                "请分批上传。"
            )
        if sum(m.file_size for m in members) > _mb(MAX_UNPACKED_MB):
            raise UploadRefused(
                f"“{archive_name}”解压后超过 {MAX_UNPACKED_MB} MB，可能已损坏，未导入任何数据。"
            )
        refused = guard.check_archive(archive_path, archive_name, archive=True)
        if refused is not None:
            raise UploadRefused(_refusal(refused))
        if any(m.flag_bits & 0x1 for m in members):
            raise UploadRefused(f"“{archive_name}”设置了密码，请解除密码后重新压缩上传。")
        found = False
        for member in members:
            path = PurePosixPath(_member_name(member).replace("\\", "/"))
            name = safe_name(path.name)
            if name.startswith(".") or name.startswith("~$"):
                continue  # hidden files and Excel's lock files travel along unnoticed
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in (".xlsx", ".csv"):
                raise UploadRefused(
                    f"压缩包“{archive_name}”中的“{path}”不是 .xlsx 工作簿或 .csv 文件；"
                    "压缩包中只能放填报工作簿或 CSV 数据文件。"
                )
            if suffix == ".csv":
                # The CSV files of one folder of the archive form one dataset folder.
                folder_name = "_".join(safe_name(p, "") for p in path.parent.parts if p)
                folder = uploads / (f"{stem}_{folder_name}" if folder_name else stem)
                folder.mkdir(exist_ok=True)
                target = saved._unique(folder, name)
            else:
                target = saved._unique(uploads, name)
            with archive.open(member) as stream:
                chunks = iter(lambda: stream.read(_CHUNK), b"")
                _copy_limited(chunks, target, _mb(MAX_FILE_MB), f"{archive_name}/{path}")
            if suffix == ".xlsx":
                _check_workbook(target, f"{archive_name}/{path}")
            saved._add_source(target if suffix == ".xlsx" else target.parent)
            found = True
        if not found:
            raise UploadRefused(f"压缩包“{archive_name}”中没有 .xlsx 工作簿或 .csv 文件。")


def save_uploads(files: Iterable[Upload], root: Path) -> Saved:
    """Save `files` under `root/uploads`; raises UploadRefused (nothing kept) for a bad upload."""
    uploads = root / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    saved = Saved(root)
    try:
        for upload in files:
            name = safe_name(upload.name or "")
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in ALLOWED_SUFFIXES:
                raise UploadRefused(
                    f"“{name}”不能导入：只能上传 .xlsx 工作簿（全县模板或一校一册）、.csv 文件，"
                    "或装有它们的 .zip 压缩包（.xls 请先在 Excel/WPS 中另存为 .xlsx）。"
                )
            if (upload.size or 0) > _mb(MAX_FILE_MB):
                raise UploadRefused(f"“{name}”超过 {MAX_FILE_MB} MB，未导入任何数据。")
            saved.files.append(name)
            if suffix == ".csv":
                folder = uploads / LOOSE_CSV_FOLDER
                folder.mkdir(exist_ok=True)
                target = saved._unique(folder, name)
            elif suffix == ".zip":
                target = saved._unique(root, name)
            else:
                target = saved._unique(uploads, name)
            _copy_limited(upload.chunks(), target, _mb(MAX_FILE_MB), name)
            if suffix == ".zip":
                _unpack(target, name, saved, uploads)
                target.unlink()
            else:
                if suffix == ".xlsx":
                    _check_workbook(target, name)
                saved._add_source(target if suffix == ".xlsx" else target.parent)
    except BaseException:
        shutil.rmtree(uploads, ignore_errors=True)
        raise
    if not saved.sources:
        raise UploadRefused("请选择要导入的文件。")
    return saved


class LimitedUploadHandler(FileUploadHandler):
    """Skips a file as soon as it passes the intake's size limit while it streams in, so an
    oversized upload never fills the disk; `too_large` names the files skipped."""

    def __init__(self, request: object = None) -> None:
        super().__init__(request)  # type: ignore[arg-type]
        self.too_large: list[str] = []
        self.limit_mb = MAX_FILE_MB
        self._received = 0

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > _mb(self.limit_mb):
            self.too_large.append(safe_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
