"""Hostile workbooks for the intake's limits: a member rewritten in place, a sheet padded with a
highly compressible XML comment (a zip bomb that still reads as the original sheet), a recorded
dimension that says whatever a test needs."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

Change = Callable[[bytes], bytes]


def rewrite(path: Path, member: str, change: Change) -> Path:
    """Rewrite one member of a workbook (`change` maps its bytes to the new bytes), deflated."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename == member else data)
    path.write_bytes(buffer.getvalue())
    return path


def padded(mb: float) -> Change:
    """Pad a sheet with an XML comment of `mb` MB: it deflates about a thousand times and the
    sheet still reads as before, so only the limits decide whether the file is read."""
    padding = b"<!--" + b"x" * int(mb * 2**20) + b"-->"
    return lambda data: data.replace(b"<sheetData", padding + b"<sheetData", 1)


def dimension(ref: str) -> Change:
    """Set the sheet's recorded dimension (`A1:AB100001`, or a lying `A1`)."""
    element = f'<dimension ref="{ref}"/>'.encode()
    return lambda data: re.sub(rb'<dimension ref="[^"]*"/>', element, data)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding the worksheet named `sheet`."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="(\w+)"', workbook)
    assert rid is not None, sheet
    for match in re.finditer(r"<Relationship [^>]*>", rels):
        if f'Id="{rid.group(1)}"' in match.group():
            target = re.search(r'Target="([^"]+)"', match.group())
            assert target is not None
            return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    raise AssertionError(sheet)


def worksheet_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
