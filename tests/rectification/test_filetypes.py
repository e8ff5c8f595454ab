"""Evidence types by content: the name never decides."""

from __future__ import annotations

import pytest

from junheng.rectification.filetypes import DOCX, JPEG, PDF, PNG, XLSX, FileTypeRefused, detect

OFFICE = ["[Content_Types].xml", "_rels/.rels"]


@pytest.mark.parametrize(
    ("head", "members", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, PNG),
        (b"%PDF-1.7\n", None, PDF),
        (b"PK\x03\x04\x14\x00", [*OFFICE, "word/document.xml"], DOCX),
        (b"PK\x03\x04\x14\x00", [*OFFICE, "xl/workbook.xml"], XLSX),
    ],
)
def test_accepted_types_whatever_the_name(head, members, expected):
    assert detect(head, "文件.txt", members) == expected


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"MZ\x90\x00", "文件“照片.pdf”实际是Windows 可执行程序，不是佐证材料，已拒绝"),
        (b"\x7fELF\x02\x01", "文件“照片.pdf”实际是Linux 可执行程序，不是佐证材料，已拒绝"),
        (b"\xcf\xfa\xed\xfe", "文件“照片.pdf”实际是可执行程序"),
        (b"GIF89a", "文件“照片.pdf”的内容不是可接受的类型"),
        (b"", "文件“照片.pdf”是空文件"),
    ],
)
def test_refused_with_the_reason(head, said):
    with pytest.raises(FileTypeRefused) as info:
        detect(head, "照片.pdf")
    assert str(info.value).startswith(said)


def test_a_zip_without_office_parts_is_refused():
    with pytest.raises(FileTypeRefused, match="是压缩包，但不是 Word"):
        detect(b"PK\x03\x04", "报告.docx", ["[Content_Types].xml", "payload.exe"])
    with pytest.raises(FileTypeRefused, match="是压缩包"):
        detect(b"PK\x03\x04", "报告.docx", ["word/document.xml"])
