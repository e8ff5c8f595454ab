"""Evidence files: checked by content and size, stored outside the database under var/ by their
SHA-256 checksum, served only to users who may see the task or policy document they belong to.

The limits are data (`evidence.yaml` beside this module), not settings.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404

from junheng.intake import guard
from junheng.rectification.filetypes import (
    BY_KIND,
    HEAD_BYTES,
    FileType,
    FileTypeRefused,
    detect,
    is_zip,
)
from junheng.standards import read_yaml
from junheng.web.imports.uploads import Upload, safe_name

LIMITS_FILE = Path(__file__).with_name("evidence.yaml")
_CHUNK = 2**20


class EvidenceRefused(Exception):
    """An upload not accepted; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Limits:
    max_file_mb: float
    max_files: int

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


def limits(path: Path = LIMITS_FILE) -> Limits:
    """The limits from the data file, read afresh so an edit applies without a code change."""
    data: Any = read_yaml(path)
    return Limits(max_file_mb=float(data["max_file_mb"]), max_files=int(data["max_files"]))


def evidence_root() -> Path:
    """Where evidence files live (`JUNHENG_EVIDENCE_DIR` in settings, else var/evidence)."""
    configured = getattr(settings, "JUNHENG_EVIDENCE_DIR", None)
    root = Path(configured or Path(settings.VAR_DIR) / "evidence")
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


@dataclass(frozen=True)
class Stored:
    name: str
    type: FileType
    size: int
    sha256: str
    path: str
    """Relative to `evidence_root()`."""
    new: bool = True
    """The content was not stored before (so it may be removed if the upload fails)."""


def _mb_text(value: float) -> str:
    return f"{value:g} MB"


def _members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return []


def store(upload: Upload, root: Path | None = None, limit: Limits | None = None) -> Stored:
    """Save one upload: streamed with the size limit, typed by content, kept by checksum."""
    limit = limit or limits()
    root = root or evidence_root()
    name = safe_name(upload.name or "", default="佐证材料")
    if (upload.size or 0) > limit.max_bytes:
        raise EvidenceRefused(
            f"文件“{name}”大小超过上限 {_mb_text(limit.max_file_mb)}，未上传；请压缩或拆分后再上传"
        )
    incoming = root / "incoming"
    incoming.mkdir(exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    temp = incoming / f"{os.getpid()}-{id(upload)}-{os.urandom(4).hex()}"
    try:
        with temp.open("wb") as out:
            for chunk in upload.chunks(_CHUNK):
                size += len(chunk)
                if size > limit.max_bytes:
                    raise EvidenceRefused(
                        f"文件“{name}”大小超过上限 {_mb_text(limit.max_file_mb)}，未上传；"
                        "请压缩或拆分后再上传"
                    )
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        try:
            kind = detect(head, name, _members(temp) if is_zip(head) else None)
        except FileTypeRefused as exc:
            raise EvidenceRefused(str(exc)) from None
        if is_zip(head):
            # A document that is a zip bomb would be served to, and opened by, other users.
            refused = guard.check_archive(temp, name, archive=True)
            if refused is not None:
                raise EvidenceRefused(
                    f"文件“{name}”内容异常（{refused.value}），可能已损坏或是恶意构造的文件，"
                    "未上传；请在原软件中另存为新文件后再上传"
                )
        sha = digest.hexdigest()
        relative = f"{sha[:2]}/{sha}"
        target = root / relative
        target.parent.mkdir(exist_ok=True)
        new = not target.exists()
        if new:
            temp.replace(target)
            os.chmod(target, 0o600)
        return Stored(name=name, type=kind, size=size, sha256=sha, path=relative, new=new)
    finally:
        temp.unlink(missing_ok=True)


def store_all(uploads: Iterable[Upload], limit: Limits | None = None) -> list[Stored]:
    """Save every upload, or none: one refused file refuses the whole upload."""
    limit = limit or limits()
    uploads = list(uploads)
    if len(uploads) > limit.max_files:
        raise EvidenceRefused(
            f"一次最多上传 {limit.max_files} 个文件，本次选择了 {len(uploads)} 个"
        )
    stored: list[Stored] = []
    try:
        for upload in uploads:
            stored.append(store(upload, limit=limit))
    except BaseException:
        discard(stored)
        raise
    return stored


def discard(stored: Iterable[Stored]) -> None:
    """Remove the files an upload added (after a refusal or a failed transaction)."""
    root = evidence_root()
    for item in stored:
        if item.new:
            (root / item.path).unlink(missing_ok=True)


def open_stored(relative: str) -> Path:
    path = (evidence_root() / relative).resolve()
    if evidence_root().resolve() not in path.parents:
        raise FileNotFoundError(relative)
    return path


def file_response(relative: str, name: str, kind: str) -> FileResponse:
    """A stored evidence file as the browser gets it: photos and PDFs shown, other types
    downloaded, under its original name; Http404 when the file is gone."""
    try:
        handle = open_stored(relative).open("rb")
    except OSError:
        raise Http404("文件已不存在。") from None
    known = BY_KIND.get(kind)
    response = FileResponse(
        handle,
        as_attachment=known is None or known.kind not in ("jpeg", "png", "pdf"),
        filename=name,
        content_type=known.content_type if known else "application/octet-stream",
    )
    # an uploaded PDF shown in the browser must not run scripts with the site's rights
    response["Content-Security-Policy"] = "sandbox"
    return response
