"""What a produced workbook holds at the XML level: its formula cells and the text of its cells.

Read with zipfile and ElementTree rather than openpyxl, so that a formula is seen as Excel would
see it (an <f> element), whatever a reading library makes of it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

EVIL = '=HYPERLINK("http://evil.example","点我")'
HOSTILE = (EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1")
"""Text Excel would run as a formula (or DDE-style expression) if it were stored as one."""


@dataclass
class Scan:
    formulas: list[str] = field(default_factory=list)
    """"<workbook part>!<cell>: <formula>" of every <f> element."""
    texts: set[str] = field(default_factory=set)
    """The text of every string cell (shared or inline)."""

    def starting_with(self, prefix: str) -> set[str]:
        return {t for t in self.texts if t.startswith(prefix)}


def _text(node: ElementTree.Element | None) -> str:
    # A rich-text string is several runs (<r><t>); their texts make the cell's text. openpyxl
    # writes an empty text as an inline string without any.
    if node is None:
        return ""
    return "".join(t.text or "" for t in node.iter(f"{MAIN}t"))


def scan_workbook(data: bytes, scan: Scan | None = None) -> Scan:
    """Formulas and texts of one .xlsx (or of every .xlsx in a .zip of workbooks)."""
    scan = scan if scan is not None else Scan()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if "[Content_Types].xml" not in names:
            for name in names:
                if name.endswith(".xlsx"):
                    scan_workbook(archive.read(name), scan)
            return scan
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = [_text(si) for si in root.iter(f"{MAIN}si")]
        for name in names:
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            root = ElementTree.fromstring(archive.read(name))
            for cell in root.iter(f"{MAIN}c"):
                formula = cell.find(f"{MAIN}f")
                if formula is not None:
                    scan.formulas.append(f"{name}!{cell.get('r')}: {formula.text}")
                kind = cell.get("t")
                if kind == "s":
                    scan.texts.add(shared[int(cell.findtext(f"{MAIN}v") or 0)])
                elif kind == "inlineStr":
                    scan.texts.add(_text(cell.find(f"{MAIN}is")))
                elif kind == "str":
                    scan.texts.add(cell.findtext(f"{MAIN}v") or "")
    return scan
