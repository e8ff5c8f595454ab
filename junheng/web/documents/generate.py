"""The documents of a county and year, made from a snapshot exactly as it was evaluated.

A report must show the numbers of the evaluation it names. The snapshot keeps the county's
result, not the Evaluation the report writers read, so the snapshot's data are evaluated again —
only when they are still the data the snapshot was computed from (same fingerprint, same standard
version) and the result comes out equal to the stored one; otherwise the job fails with the
reason and the user re-evaluates first. Nothing is approximated.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation, evaluate
from junheng.core.output import evaluation_to_dict
from junheng.core.subset import restrict
from junheng.rectification.bulletin import PERIODS
from junheng.rectification.ledger_xlsx import write_ledger
from junheng.reports.pdf import PdfConversionError, PdfUnavailable, pdf_available, to_pdf
from junheng.reports.school_book import write_school_books
from junheng.reports.tables import write_tables_xlsx
from junheng.standards import load_standard
from junheng.web import clock
from junheng.web.documents.runner import JobContext, JobFailed, Produced
from junheng.web.evaluation.models import DataScope, Snapshot
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for, fingerprint

CHANGED = (
    "所选评估之后，{county}{year}学年的数据已经修改，报告无法与该次评估一致。"
    "请先在“重新评估”中评估当前数据，再生成报告。"
)
NOT_REPRODUCIBLE = (
    "评估标准或评估程序在该次评估之后已经更新，该次评估的结果无法原样重现。"
    "请先重新评估，再生成报告。"
)


def _normalised(value: Any) -> Any:
    # as the snapshot stores it: JSON through Django's encoder (dates as text, tuples as lists)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot_evaluation(snapshot: Snapshot) -> tuple[Dataset, Evaluation]:
    """The Dataset the snapshot evaluated and its Evaluation, equal to the stored result.

    Raises JobFailed when the data changed since the snapshot or the result cannot be
    reproduced exactly."""
    county, year = snapshot.county, snapshot.year
    dataset = dataset_for(county, year)
    if fingerprint(dataset) != snapshot.data_fingerprint:
        raise JobFailed(CHANGED.format(county=county.name, year=year.label))
    if snapshot.data_scope == DataScope.APPROVED:
        left_out = {record["school_id"] for record in snapshot.unapproved}
        ids = [sid for sid in dataset.schools.get_column("school_id") if sid not in left_out]
        dataset = restrict(dataset, ids)
    standard = load_standard(snapshot.standard_id)
    if standard.version != snapshot.standard_version:
        raise JobFailed(NOT_REPRODUCIBLE)
    evaluation = evaluate(dataset, standard)
    document = evaluation_to_dict(evaluation)
    entry = next((c for c in document["counties"] if c["county"] == county.name), None)
    if (
        entry is None
        or _normalised(entry) != snapshot.result
        or _normalised(document["policies"]) != snapshot.policies
    ):
        raise JobFailed(NOT_REPRODUCIBLE)
    return dataset, evaluation


def basis_text(snapshot: Snapshot) -> str:
    """The line printed on the 附表 and every 一校一册: which evaluation, with the data
    fingerprint's first characters (as the 自评报告 prints them)."""
    from junheng.reports.self_evaluation_story import FINGERPRINT_SHOWN
    from junheng.web.practice.inputs import snapshot_label

    short = snapshot.data_fingerprint[:FINGERPRINT_SHOWN]
    return f"评估依据：{snapshot_label(snapshot)}，数据指纹 {short}"


def _need_snapshot(ctx: JobContext) -> Snapshot:
    if ctx.job.snapshot is None:
        raise JobFailed("没有选择评估结果：请先评估，再生成报告。")
    return ctx.job.snapshot


def _name(county: County, year: SchoolYear, what: str, suffix: str) -> str:
    return f"{county.name}{year.label}学年{what}{suffix}"


# ---------------------------------------------------------------------------------------------
# Files for a snapshot (also used by the archive)
# ---------------------------------------------------------------------------------------------


def write_self_evaluation_files(
    snapshot: Snapshot, folder: Path, *, evaluated: Any = None
) -> list[Produced]:
    """自评报告 .docx of the snapshot (the job converts it to PDF as a step of its own)."""
    from junheng.reports.self_evaluation import write_self_evaluation
    from junheng.web.practice.inputs import report_inputs
    from junheng.web.rectification.models import Plan

    dataset, evaluation = evaluated or snapshot_evaluation(snapshot)
    county, year = snapshot.county, snapshot.year
    # 创建规划与目标年预测 forecasts the county's own target year when its plan names one.
    target = Plan.objects.filter(county=county).values_list("target_year", flat=True).first()
    docx = write_self_evaluation(
        evaluation,
        county.name,
        folder / "self-evaluation.docx",
        dataset=dataset,
        date=clock.today(),
        target_year=target,
        **report_inputs(snapshot),
    )
    return [Produced(docx, _name(county, year, "自评报告", ".docx"), "自评报告（Word）")]


def write_tables_file(snapshot: Snapshot, folder: Path, *, evaluated: Any = None) -> list[Produced]:
    """评估附表 .xlsx of the snapshot."""
    _, evaluation = evaluated or snapshot_evaluation(snapshot)
    county, year = snapshot.county, snapshot.year
    path = write_tables_xlsx(
        evaluation, folder / "tables.xlsx", county.name, basis=basis_text(snapshot)
    )
    return [Produced(path, _name(county, year, "评估附表", ".xlsx"), "评估附表（Excel）")]


def write_school_books_files(
    snapshot: Snapshot, folder: Path, progress: Any = None, *, evaluated: Any = None
) -> list[Produced]:
    """一校一册 of every in-scope school, packed in one zip."""
    dataset, evaluation = evaluated or snapshot_evaluation(snapshot)
    county, year = snapshot.county, snapshot.year
    books = folder / "books"
    zip_path = folder / "books.zip"
    write_school_books(
        evaluation,
        county.name,
        books,
        dataset=dataset,
        zip_path=zip_path,
        date=clock.today(),
        progress=progress,
        basis=basis_text(snapshot),
    )
    shutil.rmtree(books, ignore_errors=True)
    return [
        Produced(
            zip_path, _name(county, year, "一校一册", ".zip"), "一校一册（每校一份 Word，打包）"
        )
    ]


def write_ledger_file(county: County, year: SchoolYear, folder: Path) -> list[Produced]:
    """整改台账 .xlsx, the layout `junheng ledger check` reads back."""
    from junheng.web.rectification import services as ledger

    path = write_ledger(
        ledger.ledger_rows(county, year),
        folder / "ledger.xlsx",
        title=f"{county.name}{year.label}学年整改台账",
    )
    return [Produced(path, _name(county, year, "整改台账", ".xlsx"), "整改台账（Excel）")]


def write_bulletin_file(
    county: County, year: SchoolYear, folder: Path, period: str
) -> list[Produced]:
    """整改周通报 or 月通报 .docx from the ledger as it is today."""
    from junheng.web.rectification import reports

    today = clock.today()
    content = reports.bulletin_docx(reports.bulletin_for(county, year, period, today))
    path = folder / "bulletin.docx"
    path.write_bytes(content)
    what = f"整改{PERIODS[period]}通报{today:%Y%m%d}"
    return [Produced(path, f"{county.name}{what}.docx", f"整改{PERIODS[period]}通报（Word）")]


# ---------------------------------------------------------------------------------------------
# Runners
# ---------------------------------------------------------------------------------------------


def self_evaluation(ctx: JobContext) -> list[Produced]:
    snapshot = _need_snapshot(ctx)
    ctx.progress(0, 3, "核对评估数据")
    evaluated = snapshot_evaluation(snapshot)
    ctx.progress(1, 3, "撰写自评报告")
    pdf = bool(ctx.job.params.get("pdf", True))
    docx = write_self_evaluation_files(snapshot, ctx.workdir, evaluated=evaluated)
    if not pdf or not pdf_available():
        return docx
    ctx.progress(2, 3, "转换为 PDF")
    try:
        converted = to_pdf(docx[0].path, ctx.workdir / "pdf")
    except (PdfUnavailable, PdfConversionError) as exc:
        raise JobFailed(f"自评报告转换为 PDF 失败：{exc}") from None
    county, year = snapshot.county, snapshot.year
    return [
        *docx,
        Produced(converted, _name(county, year, "自评报告", ".pdf"), "自评报告（PDF）"),
    ]


def school_books(ctx: JobContext) -> list[Produced]:
    snapshot = _need_snapshot(ctx)
    ctx.progress(0, 1, "核对评估数据")
    evaluated = snapshot_evaluation(snapshot)

    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, "正在生成一校一册（学校）")

    return write_school_books_files(snapshot, ctx.workdir, progress, evaluated=evaluated)


def tables(ctx: JobContext) -> list[Produced]:
    snapshot = _need_snapshot(ctx)
    ctx.progress(0, 1, "核对评估数据")
    return write_tables_file(snapshot, ctx.workdir)


def bulletin(ctx: JobContext) -> list[Produced]:
    period = ctx.job.params.get("period", "week")
    if period not in PERIODS:
        period = "week"
    ctx.progress(0, 1, "汇总整改台账")
    return write_bulletin_file(ctx.job.county, ctx.job.year, ctx.workdir, period)
