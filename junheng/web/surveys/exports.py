"""The survey's results workbook, as its results page exports it and the inspection archive
holds it: every table of `junheng.survey.tables.result_tables` on a sheet of its own."""

from __future__ import annotations

import io
from pathlib import Path

from junheng.survey.tables import result_tables
from junheng.web import clock
from junheng.web.surveys import services
from junheng.web.surveys.models import Survey


def write_results(survey: Survey, target: Path | io.BytesIO) -> None:
    """Write the results of `survey` (scored as its page shows them) to a file or a buffer."""
    import xlsxwriter

    from junheng.reports.tables import _Formats, _write_table

    tables = result_tables(services.score(survey), services.school_names(survey))
    in_memory = isinstance(target, io.BytesIO)
    workbook = xlsxwriter.Workbook(
        target if in_memory else str(target), {"in_memory": in_memory, "nan_inf_to_errors": True}
    )
    formats = _Formats(workbook)
    subtitle = f"{survey.title}（{clock.stamp()} 导出）"
    for table in tables:
        _write_table(workbook, formats, table, f"{survey.county.name}{table.title}", subtitle)
    workbook.close()
