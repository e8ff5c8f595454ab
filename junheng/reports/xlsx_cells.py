"""Writing cells of every workbook the system produces, so that text stays text.

Names, titles and echoed cell values come from users and imported files. Text beginning with
"=" is stored as a live formula by openpyxl (`cell.value = "=…"`) and by xlsxwriter
(`write(…, "=…")`, `merge_range(…, "=…")`), and Excel or WPS would run it when the file is
opened (=HYPERLINK, =WEBSERVICE …). Every writer puts text through the functions here: the
value is kept exactly as typed (no apostrophe or space in front) and saved as a string cell.

The system writes no formula cells of its own; dropdown lists are data validations, which are
not cells. A scan of a produced workbook may therefore treat any `<f>` element as an error.
"""

from __future__ import annotations

from typing import Any

TEXT = "s"
"""openpyxl's data type of a string cell (saved as an inline string, never as <f>)."""


def keep_text(cell: Any) -> Any:
    """Make an openpyxl cell that holds a str a string cell, whatever the text starts with."""
    if isinstance(cell.value, str):
        cell.data_type = TEXT
    return cell


def set_value(cell: Any, value: object) -> Any:
    """Give an openpyxl cell `value`; a str is stored as text, never as a formula."""
    cell.value = value
    return keep_text(cell)


def put(sheet: Any, row: int, column: int, value: object = None) -> Any:
    """`sheet.cell(row, column, value)` of openpyxl with a str stored as text; the cell."""
    cell = sheet.cell(row, column)
    if value is not None:
        set_value(cell, value)
    return cell


def keep_texts(sheet: Any) -> None:
    """Every str cell of an openpyxl sheet a string cell (for rows added with `append`)."""
    for row in sheet.iter_rows():
        for cell in row:
            keep_text(cell)


def text_cell(sheet: Any, value: str) -> Any:
    """A write-only openpyxl cell holding `value` as text (for `Workbook(write_only=True)`)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = TEXT
    return cell


def write(sheet: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """xlsxwriter: a str with `write_string`, None as a blank, anything else as `write` does."""
    if isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write(row, col, value, fmt)


def write_row(sheet: Any, row: int, col: int, values: Any, fmt: Any = None) -> None:
    """xlsxwriter's `write_row` with every value through `write` above."""
    for offset, value in enumerate(values):
        write(sheet, row, col + offset, value, fmt)


def merge_text(
    sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int, text: str, fmt: Any
) -> None:
    """xlsxwriter's `merge_range` for text: the merge is made empty, then the text written as a
    string (`merge_range` itself would store "=…" as a formula)."""
    sheet.merge_range(first_row, first_col, last_row, last_col, "", fmt)
    sheet.write_string(first_row, first_col, text, fmt)
