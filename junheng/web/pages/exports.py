"""Excel copies of the dashboard tables: the same `presenters.Table` the page prints, written with
xlsxwriter — Chinese headers, numbers stored as numbers with the page's number format, text as
text, a frozen header row and column widths that fit Chinese text."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse

from junheng.reports.xlsx_cells import write
from junheng.web.pages.presenters import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31
"""Excel refuses longer sheet names."""
FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _width(text: str) -> float:
    # a CJK character is about twice as wide as a Latin one in Excel's default font
    return sum(2.0 if ord(c) > 0x2E80 else 1.1 for c in text)


def workbook_bytes(tables: list[Table], heading: str = "") -> bytes:
    """One sheet per table: optional heading line, the table's note, headers, rows."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats: dict[str, object] = {}
    used: set[str] = set()
    for table in tables:
        name = table.title.translate(FORBIDDEN)[:SHEET_NAME_MAX] or table.key
        while name in used:
            name = f"{name[: SHEET_NAME_MAX - 2]}_{len(used)}"
        used.add(name)
        sheet = book.add_worksheet(name)
        row = 0
        if heading:
            write(sheet, row, 0, heading, title)
            row += 1
        if table.note:
            write(sheet, row, 0, table.note)
            row += 1
        if row:
            row += 1
        widths = [_width(h) for h in table.headers]
        for col, header in enumerate(table.headers):
            write(sheet, row, col, header, bold)
        sheet.freeze_panes(row + 1, 0)
        first_data = row + 1
        for r, cells in enumerate(table.rows, start=first_data):
            for col, cell in enumerate(cells):
                value = cell.value
                if value is None:
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    fmt = None
                    if cell.excel_format:
                        fmt = formats.get(cell.excel_format)
                        if fmt is None:
                            fmt = formats[cell.excel_format] = book.add_format(
                                {"num_format": cell.excel_format}
                            )
                    sheet.write_number(r, col, value, fmt)
                    widths[col] = max(widths[col], len(cell.text) * 1.1)
                else:
                    text = str(value)
                    write(sheet, r, col, text, wrap if len(text) > 40 else None)
                    widths[col] = max(widths[col], min(_width(text), 60))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 2, 8), 62))
        if table.rows:
            sheet.autofilter(row, 0, row + len(table.rows), len(table.headers) - 1)
    book.close()
    return buffer.getvalue()


def xlsx_response(tables: list[Table], filename: str, heading: str = "") -> HttpResponse:
    """The tables as a downloaded workbook named `filename` (Chinese names survive, RFC 6266)."""
    return xlsx_download(workbook_bytes(tables, heading), filename)


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """A workbook's bytes as a download named `filename` (Chinese names survive, RFC 6266)."""
    response = HttpResponse(content, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
