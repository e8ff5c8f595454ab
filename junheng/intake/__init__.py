"""Reading and writing the canonical Dataset (CSV folder or .xlsx workbook), with structured
errors."""

from junheng.intake.errors import (
    CATALOGUE,
    Code,
    IntakeError,
    errors_to_frame,
    errors_to_text,
)
from junheng.intake.reader import ReadResult, read_dataset
from junheng.intake.writer import write_csv_folder, write_xlsx

__all__ = [
    "CATALOGUE",
    "Code",
    "IntakeError",
    "ReadResult",
    "errors_to_frame",
    "errors_to_text",
    "read_dataset",
    "write_csv_folder",
    "write_xlsx",
]
