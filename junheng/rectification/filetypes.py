"""What an evidence file is, decided by its content (magic bytes), never by its name.

A renamed executable (`MZ` or ELF header) called 照片.pdf is refused; DOCX and XLSX are zip
archives and count only with the parts Word and Excel write. Pure: the caller passes the first
bytes and, for a zip archive, the names of its members.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

HEAD_BYTES = 16
"""How many leading bytes `detect` needs."""


@dataclass(frozen=True)
class FileType:
    kind: str
    label: str
    content_type: str


JPEG = FileType("jpeg", "JPEG 图片", "image/jpeg")
PNG = FileType("png", "PNG 图片", "image/png")
PDF = FileType("pdf", "PDF 文档", "application/pdf")
DOCX = FileType(
    "docx",
    "Word 文档（.docx）",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = FileType(
    "xlsx",
    "Excel 工作簿（.xlsx）",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
ALLOWED: tuple[FileType, ...] = (JPEG, PNG, PDF, DOCX, XLSX)
BY_KIND = {t.kind: t for t in ALLOWED}
ALLOWED_TEXT = "JPEG/PNG 图片、PDF、Word（.docx）、Excel（.xlsx）"

_ZIP = b"PK\x03\x04"
_EXECUTABLES = ((b"MZ", "Windows 可执行程序"), (b"\x7fELF", "Linux 可执行程序"))
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")


class FileTypeRefused(ValueError):
    """The Chinese sentence saying why the file is not accepted."""


def is_zip(head: bytes) -> bool:
    return head.startswith(_ZIP)


def detect(head: bytes, name: str, zip_members: Collection[str] | None = None) -> FileType:
    """The type of a file from its first bytes (and, for a zip archive, its member names).

    `name` is used only in the message. Raises FileTypeRefused with the reason in Chinese.
    """
    for magic, what in _EXECUTABLES:
        if head.startswith(magic):
            raise FileTypeRefused(
                f"文件“{name}”实际是{what}，不是佐证材料，已拒绝；可上传：{ALLOWED_TEXT}"
            )
    if head.startswith(_MACH_O):
        raise FileTypeRefused(
            f"文件“{name}”实际是可执行程序，不是佐证材料，已拒绝；可上传：{ALLOWED_TEXT}"
        )
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if is_zip(head):
        members = set(zip_members or ())
        if "[Content_Types].xml" in members:
            if "word/document.xml" in members:
                return DOCX
            if "xl/workbook.xml" in members:
                return XLSX
        raise FileTypeRefused(
            f"文件“{name}”是压缩包，但不是 Word（.docx）或 Excel（.xlsx）文档；"
            f"可上传：{ALLOWED_TEXT}"
        )
    if not head:
        raise FileTypeRefused(f"文件“{name}”是空文件")
    raise FileTypeRefused(f"文件“{name}”的内容不是可接受的类型；可上传：{ALLOWED_TEXT}")
