"""The job that builds a county's inspection archive (创建档案): every uploaded evidence file in
the folder of its part and item, the documents the system makes (自评报告, 评估附表, 一校一册 of
the job's evaluation; 整改台账; the survey's results), the issued policy documents of the ledger's
checklist, and the index workbook and 档案目录 listing them all (`junheng.archive.catalogue`).

Runs in the worker (`documents.runner.KINDS["archive"]`); each uploaded file is written once, and
the archive is refused before any copying when its files exceed the limit of `limits.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junheng.archive import catalogue
from junheng.archive.catalogue import Completeness, Entry, clean_component, part_folder
from junheng.archive.requirements import ItemRequirements
from junheng.rectification.policies import load_checklist
from junheng.standards import read_yaml
from junheng.web import clock
from junheng.web.archive import services
from junheng.web.archive.models import ArchiveFile
from junheng.web.documents import generate
from junheng.web.documents.runner import JobContext, JobFailed, Produced
from junheng.web.evaluation.models import Snapshot
from junheng.web.rectification import evidence
from junheng.web.rectification.models import PolicyDocument
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import latest_snapshot

LIMITS_FILE = Path(__file__).with_name("limits.yaml")
POLICY_FOLDER = "政策文件"
GENERAL_FOLDER = "综合材料"
OTHER_FOLDER = "其他材料"


def max_archive_bytes(path: Path = LIMITS_FILE) -> int:
    """The limit on the files of one archive, read afresh so an edit applies at once."""
    return int(float(read_yaml(path)["max_archive_mb"]) * 2**20)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


@dataclass(frozen=True)
class _Generated:
    """A document the system made for the archive, and which supplier it stands for."""

    produced: Produced
    supplier: str = ""


def _note(row: ArchiveFile) -> str:
    who = ""
    if row.uploaded_by is not None:
        who = row.uploaded_by.get_full_name() or row.uploaded_by.get_username()
    parts = [f"{who} {clock.local_date(row.uploaded_at):%Y-%m-%d} 上传".strip()]
    if row.note:
        parts.append(row.note)
    return "；".join(parts)


def _school_books(
    ctx: JobContext, snapshot: Snapshot, folder: Path, evaluated: Any
) -> list[Produced]:
    """The 一校一册 of the snapshot: the zip already published for it, or made now."""
    from junheng.web.documents.models import Document, JobKind
    from junheng.web.documents.services import document_path

    published = (
        Document.objects.filter(
            county=snapshot.county, year=snapshot.year, kind=JobKind.SCHOOL_BOOKS, snapshot=snapshot
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if published is not None and document_path(published).is_file():
        return [Produced(document_path(published), published.filename, published.label)]

    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, "正在生成一校一册（学校）")

    return generate.write_school_books_files(snapshot, folder, progress, evaluated=evaluated)


def _survey_results(county: County, year: SchoolYear, folder: Path) -> list[Produced]:
    """The results workbook of the county's latest survey of the year, as its page exports it."""
    from junheng.web.surveys.exports import write_results
    from junheng.web.surveys.models import Survey

    survey = Survey.objects.filter(county=county, year=year).order_by("-created_at").first()
    if survey is None:
        return []
    path = folder / "survey.xlsx"
    write_results(survey, path)
    name = f"{county.name}{year.label}学年社会认可度调查结果.xlsx"
    return [Produced(path, name, "社会认可度调查结果（Excel）")]


def _generated(ctx: JobContext, snapshot: Snapshot) -> list[_Generated]:
    county, year = ctx.job.county, ctx.job.year
    folder = ctx.workdir / "generated"
    folder.mkdir()
    ctx.progress(0, 6, "核对评估数据")
    evaluated = generate.snapshot_evaluation(snapshot)
    out: list[_Generated] = []
    ctx.progress(1, 6, "生成自评报告")
    out += [
        _Generated(p)
        for p in generate.write_self_evaluation_files(snapshot, folder, evaluated=evaluated)
    ]
    ctx.progress(2, 6, "生成评估附表")
    out += [
        _Generated(p, "tables")
        for p in generate.write_tables_file(snapshot, folder, evaluated=evaluated)
    ]
    ctx.progress(3, 6, "准备一校一册")
    out += [_Generated(p, "school_books") for p in _school_books(ctx, snapshot, folder, evaluated)]
    ctx.progress(4, 6, "导出整改台账")
    out += [_Generated(p) for p in generate.write_ledger_file(county, year, folder)]
    ctx.progress(5, 6, "导出社会认可度调查结果")
    out += [_Generated(p, "survey") for p in _survey_results(county, year, folder)]
    return out


def _item_entries(
    item: ItemRequirements, state: services.ItemState, folder: tuple[str, ...]
) -> list[Entry]:
    placed = [(f, row.requirement.title) for row in state.rows for f in row.files]
    placed += [(f, services.OTHER_TITLE) for f in state.others]
    return [
        Entry(
            evidence.open_stored(f.path),
            f.name,
            folder,
            item.part_name,
            item.label,
            title,
            _note(f),
        )
        for f, title in placed
    ]


def build_archive(ctx: JobContext) -> list[Produced]:
    """The runner of the "archive" job kind: one zip of the county's archive for the year."""
    county, year = ctx.job.county, ctx.job.year
    snapshot = ctx.job.snapshot or latest_snapshot(county, year)
    if snapshot is None:
        raise JobFailed(
            f"{county.name}{year.label}学年还没有评估结果：请先“重新评估”，再生成档案包。"
        )
    reqs = services.requirement_set(county, year)
    parts, strays = services.completeness(county, year, reqs)
    generated = _generated(ctx, snapshot)

    entries: list[Entry] = []
    for part in parts:
        for state in part.items:
            entries += _item_entries(state.item, state, (part.title, state.item.folder))
    numbered = len(parts)
    checklist = load_checklist()
    policy_top = part_folder(numbered + 1, POLICY_FOLDER)
    policy_where: dict[str, str] = {}
    names = {d.id: d for d in checklist.documents}
    documents = PolicyDocument.objects.filter(county=county).prefetch_related("files")
    for document in sorted(
        documents, key=lambda d: list(names).index(d.item_id) if d.item_id in names else len(names)
    ):
        known = names.get(document.item_id)
        title = known.name if known is not None else document.item_id
        feeds = "、".join(known.feeds) if known is not None else ""
        for f in document.files.all():
            entries.append(
                Entry(
                    evidence.open_stored(f.path),
                    f.name,
                    (policy_top, clean_component(title)),
                    POLICY_FOLDER,
                    feeds,
                    title,
                    f"{document.status}"
                    + (f"；{document.document_number}" if document.document_number else ""),
                )
            )
        if document.files.all():
            policy_where[document.item_id] = f"{policy_top}/{clean_component(title)}"

    general_top = part_folder(numbered + 2, GENERAL_FOLDER)
    supplier_where: dict[str, str] = {}
    for g in generated:
        entries.append(
            Entry(g.produced.path, g.produced.filename, (general_top,), "", "", g.produced.label)
        )
        if g.supplier:
            supplier_where[g.supplier] = f"{general_top}/{g.produced.filename}"

    # files of items the standard no longer has: archived, not lost
    for f in strays:
        entries.append(
            Entry(
                evidence.open_stored(f.path),
                f.name,
                (part_folder(numbered + 3, OTHER_FOLDER), clean_component(f.item)),
                "",
                f.item,
                services.OTHER_TITLE,
                _note(f),
            )
        )

    total = sum(e.path.stat().st_size for e in entries if e.path.exists())
    limit = max_archive_bytes()
    if total > limit:
        raise JobFailed(
            f"档案材料共 {_mb(total)}，超过档案包的上限 {_mb(limit)}；"
            "请删除重复或过大的文件（如把扫描件压缩后重新上传），再生成档案包。"
        )

    completeness = []
    for part in parts:
        for state in part.items:
            for row in state.rows:
                requirement = row.requirement
                if row.files:
                    where = f"已上传 {len(row.files)} 个文件"
                elif requirement.supplied and requirement.supplied in supplier_where:
                    where = supplier_where[requirement.supplied]
                elif requirement.policy and requirement.policy in policy_where and row.by_system:
                    where = policy_where[requirement.policy]
                else:
                    where = row.system_note or "缺少：请在创建档案页面上传"
                provided = bool(row.files) or (
                    requirement.supplied in supplier_where
                    if requirement.supplied
                    else row.by_system
                )
                completeness.append(
                    Completeness(
                        part.name,
                        state.item.label,
                        requirement.title,
                        requirement.source,
                        provided,
                        where,
                    )
                )

    def progress(done: int, count: int) -> None:
        ctx.progress(done, count, "正在打包档案材料（文件）")

    title = f"{county.name}{year.label}学年义务教育优质均衡发展督导评估"
    try:
        archive = catalogue.write_archive(
            entries,
            ctx.workdir / "archive.zip",
            title=title,
            unit=f"{county.name}人民政府教育督导室",
            day=clock.today(),
            completeness=completeness,
            progress=progress,
        )
    except catalogue.ArchiveError as exc:
        raise JobFailed(str(exc)) from None
    return [
        Produced(
            archive.path,
            f"{county.name}{year.label}学年督导评估档案.zip",
            f"创建档案（{len(archive.placed)} 个文件）",
        )
    ]
