"""Workbooks written part by part, to reproduce what other programs (WPS, report generators) write.

openpyxl always writes shared strings, `r` attributes and unprefixed tags; other programs write
inline strings, omit cell references, prefix every tag (`<x:c>`) or store formulas without their
results. `xlsx_bytes` writes exactly the variation a test asks for.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Formula:
    """A formula cell; `result` None means saved without a calculated result."""

    text: str
    result: object = None


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Strings:
    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def index(self, text: str) -> int:
        return self.items.setdefault(text, len(self.items))


def _cell(value: object, ref: str | None, p: str, strings: _Strings | None) -> str:
    r = f' r="{ref}"' if ref else ""
    if value is None:
        return ""
    if isinstance(value, Formula):
        f = f"<{p}f>{escape(value.text.removeprefix('='))}</{p}f>"
        if value.result is None:
            return f"<{p}c{r}>{f}</{p}c>"
        if isinstance(value.result, str):
            return f'<{p}c{r} t="str">{f}<{p}v>{escape(value.result)}</{p}v></{p}c>'
        return f"<{p}c{r}>{f}<{p}v>{value.result}</{p}v></{p}c>"
    if isinstance(value, bool):
        return f'<{p}c{r} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    if isinstance(value, int | float):
        return f"<{p}c{r}><{p}v>{value!r}</{p}v></{p}c>"
    text = str(value)
    if strings is not None:
        return f'<{p}c{r} t="s"><{p}v>{strings.index(text)}</{p}v></{p}c>'
    inline = f'<{p}is><{p}t xml:space="preserve">{escape(text)}</{p}t></{p}is>'
    return f'<{p}c{r} t="inlineStr">{inline}</{p}c>'


def _sheet_xml(
    rows: Sequence[Sequence[object]], p: str, refs: bool, strings: _Strings | None
) -> str:
    ns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    body = []
    for i, row in enumerate(rows, start=1):
        if refs:
            cells = "".join(_cell(v, f"{_letter(j)}{i}", p, strings) for j, v in enumerate(row))
            body.append(f'<{p}row r="{i}">{cells}</{p}row>')
        else:
            # Without references every cell must be written, or later cells shift left.
            cells = "".join(_cell(v, None, p, strings) or f"<{p}c/>" for v in row)
            body.append(f"<{p}row>{cells}</{p}row>")
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
        f"<{p}sheetData>{''.join(body)}</{p}sheetData></{p}worksheet>"
    )


def xlsx_bytes(
    sheets: dict[str, Sequence[Sequence[object]]],
    *,
    shared_strings: bool = True,
    prefix: str = "",
    refs: bool = True,
    hidden: Sequence[str] = (),
) -> bytes:
    """A minimal workbook: the given sheets, strings shared or inline, tags prefixed or not."""
    p = f"{prefix}:" if prefix else ""
    strings = _Strings() if shared_strings else None
    parts: dict[str, str] = {}
    names = list(sheets)
    for i, name in enumerate(names, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(sheets[name], p, refs, strings)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    if strings is not None:
        items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings.items)
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" '
            f'count="{len(strings.items)}" uniqueCount="{len(strings.items)}">{items}</sst>'
        )
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_tags = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
        + (' state="hidden"' if name in hidden else "")
        + "/>"
        for i, name in enumerate(names, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f"<sheets>{sheet_tags}</sheets></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    if strings is not None:
        rels += (
            f'<Relationship Id="rId{len(names) + 1}" Type="{REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">{rels}'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
