"""一校一册: one Word booklet per school with its data, its values against the standard, its gaps,
its trend over past years and its open rectification tasks.

`write_school_book` writes one school's booklet; `write_school_books` writes every in-scope
school of a county in parallel worker processes (the evaluation is pickled once and unpickled
once per worker) and can zip them.

Every number comes from the `Evaluation`; values that could not be computed print as "—（缺数据）".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import multiprocessing
import os
import pickle
import re
import signal
import zipfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from junheng import clock
from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.schema import LEVEL_ZH, LEVELS, SEGMENTS
from junheng.core.standard import OPERATORS, Item
from junheng.core.wording import standard_text
from junheng.reports import docx_style as ds
from junheng.reports.self_evaluation import (
    AREA_ZH,
    KIND_ZH,
    MARK,
    MISSING,
    OWNERSHIP_ZH,
    SHORT_NAMES,
    TASK_COLUMNS,
    VERDICT,
    charts_module,
    fmt_amount,
    fmt_check_value,
    fmt_indicator,
    fmt_mark,
    unit_word,
)

NO_TASKS = "暂无整改任务。"
NO_HISTORY = "暂无往年评估数据。"

INPUT_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in SEGMENTS.columns if c.name not in ("school_id", "level")
)
"""The segment inputs shown in the data table (every segment column except the keys)."""

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def book_filename(school_id: str, name: str) -> str:
    """`2152050002_柳河镇九年一贯制学校.docx` (characters not allowed in file names replaced)."""
    return f"{_UNSAFE.sub('_', school_id)}_{_UNSAFE.sub('_', name)}.docx"


def in_scope_schools(evaluation: Evaluation, county: str) -> list[tuple[str, str]]:
    """(school_id, name) of every school with at least one in-scope segment, in data order."""
    rows = (
        evaluation.segments.filter((pl.col("county") == county) & pl.col("in_scope"))
        .select("school_id", "name")
        .unique(subset="school_id", maintain_order=True)
    )
    return list(rows.iter_rows())


def write_school_book(
    evaluation: Evaluation,
    county: str,
    school_id: str,
    path: Path,
    *,
    dataset: Dataset | None = None,
    history: Mapping[str, Evaluation] | None = None,
    tasks: list[dict[str, Any]] | None = None,
    date: dt.date | None = None,
    charts: bool = True,
    basis: str | None = None,
) -> Path:
    """Write one school's 一校一册 to `path` (.docx, written atomically) and return the path.

    `history` maps a year label ("2024") to that year's evaluation for the trend table;
    `tasks` are the school's open rectification tasks (records with keys such as problem,
    measure, lead_unit, responsible, deadline); `basis` (which evaluation and data, with the
    data fingerprint) is printed under the title."""
    book = _SchoolBook(
        evaluation, county, school_id, dataset, history, tasks, date or clock.today(), charts
    )
    book.basis = basis
    return ds.save(book.build(), Path(path))


class _SchoolBook(ds.DocumentWriter):
    def __init__(
        self,
        evaluation: Evaluation,
        county: str,
        school_id: str,
        dataset: Dataset | None,
        history: Mapping[str, Evaluation] | None,
        tasks: list[dict[str, Any]] | None,
        date: dt.date,
        charts: bool,
    ) -> None:
        self.ev = evaluation
        self.standard = evaluation.standard
        self.county = county
        self.school_id = school_id
        self.segments = evaluation.segments.filter(
            (pl.col("county") == county) & (pl.col("school_id") == school_id)
        )
        if self.segments.is_empty():
            raise KeyError(f"评估结果中没有县区“{county}”的学校“{school_id}”")
        self.first = self.segments.row(0, named=True)
        self.dataset = dataset
        self.history = history
        self.tasks = tasks
        self.date = date
        self.charts = charts_module() if charts else None
        self.basis: str | None = None
        super().__init__()

    # -- helpers ---------------------------------------------------------------------------

    @property
    def levels(self) -> list[tuple[str, str]]:
        present = set(self.segments["level"].to_list())
        return [(lv, zh) for lv, zh in LEVELS if lv in present]

    def segment(self, level: str) -> dict[str, Any]:
        return self.segments.filter(pl.col("level") == level).row(0, named=True)

    # -- document ----------------------------------------------------------------------------

    def build(self) -> Document:
        doc = self.doc
        ds.add_page_numbers(doc.sections[0], start=1)
        name = self.first["name"]
        ds.add_title(doc, f"{self.county}义务教育优质均衡发展一校一册")
        sub = ds.add_paragraph(
            doc,
            f"{name}（学校标识码：{self.school_id}）",
            style=ds.STYLE_COVER,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        sub.paragraph_format.space_after = Pt(6)
        s = self.standard
        ds.add_paragraph(
            doc,
            f"评估标准：{standard_text(s)}"
            f"    编印日期：{ds.chinese_date(self.date, with_day=True)}",
            style=ds.STYLE_NOTE,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        if self.basis:
            ds.add_paragraph(doc, self.basis, style=ds.STYLE_NOTE, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.identity()
        self.inputs()
        self.indicators()
        self.other_items()
        self.gaps()
        self.trend()
        self.open_tasks()
        return doc

    def identity(self) -> None:
        self.h("学校基本情况", 1)
        f = self.first
        school = self._register()
        parent = "—"
        if f.get("parent_id"):
            parents = self.ev.segments.filter(pl.col("school_id") == f["parent_id"])
            parent = parents["name"][0] if parents.height else f["parent_id"]
        students = "、".join(f"{zh}{self.segment(lv)['students']}人" for lv, zh in self.levels)
        classes = "、".join(
            f"{zh}{_or_missing(self.segment(lv)['classes'], '个')}" for lv, zh in self.levels
        )
        scoped = [lv for lv, _ in self.levels if self.segment(lv)["in_scope"]]
        if len(scoped) == len(self.levels):
            scope_text = "是"
        elif not scoped:
            scope_text = (
                "否（" + "；".join({r for r in self.segments["scope_reason"].to_list() if r}) + "）"
            )
        else:
            scope_text = "、".join(LEVEL_ZH[lv] for lv in scoped) + "学段纳入"
        township = school.get("township") or f.get("township") or "—"
        rows = [
            ["学校名称", f["name"], "学校标识码", self.school_id],
            ["学校类型", KIND_ZH.get(f["kind"], f["kind"]), "办学性质",
             OWNERSHIP_ZH.get(f["ownership"] or "public", "—")],
            ["所属县区", self.county, "所属乡镇", township],
            ["城乡类型", AREA_ZH.get(f["area_type"] or "", "—"), "所属中心校", parent],
            ["评估学段", "、".join(zh for _, zh in self.levels), "纳入评估范围", scope_text],
            ["在校生数", students, "班级数", classes],
        ]  # fmt: skip
        self.table(
            "学校基本信息",
            ["项目", "内容", "项目", "内容"],
            rows,
            [2.6, 5.2, 2.6, 5.2],
            left=(1, 3),
        )

    def _register(self) -> dict[str, Any]:
        if self.dataset is None:
            return {}
        rows = self.dataset.schools.filter(pl.col("school_id") == self.school_id)
        return rows.row(0, named=True) if rows.height else {}

    def inputs(self) -> None:
        self.h("办学条件基础数据", 1)
        levels = self.levels
        header = ["项目", "单位", *(zh for _, zh in levels)]
        rows = []
        for name in INPUT_COLUMNS:
            column = SEGMENTS.column(name)
            values = [self.segment(lv).get(name) for lv, _ in levels]
            if all(v is None for v in values) and not column.required:
                continue
            rows.append([column.zh, column.unit or "—", *(_input(v) for v in values)])
        widths = [6.4, 1.6, *([7.6 / len(levels)] * len(levels))]
        notes = [
            f"{LEVEL_ZH.get(r['level'], r['level'])}学段{r['notes']}"
            for r in self.segments.iter_rows(named=True)
            if r["notes"]
        ]
        self.table(
            "各学段办学条件基础数据",
            header,
            rows,
            widths,
            left=(0,),
            note=("注：" + "；".join(notes) + "。") if notes else None,
        )

    def indicators(self) -> None:
        self.h("资源配置指标达标情况", 1)
        rule = self.standard.segment_rule
        floor = rule.floor_ratio
        floor_text = fmt_plain(floor * 100)
        self.p(
            f"按照“{rule.description.rstrip('。')}”的要求，本校各学段七项指标与标准值、"
            f"标准值的{floor_text}%（底线）比较如下。"
        )
        for level, zh in self.levels:
            seg = self.segment(level)
            self.h(f"{zh}学段", 2)
            if not seg["in_scope"]:
                self.p(f"本学段不纳入评估范围：{seg['scope_reason'] or '—'}。")
                continue
            rows = []
            for item in self.standard.ratio_items:
                threshold = item.threshold[level]
                value, met = seg[item.id], seg[f"{item.id}_met"]
                floor_ok = seg[f"{item.id}_floor_ok"]
                rows.append(
                    [
                        item.id,
                        item.name,
                        f"{fmt_plain(threshold)}{item.unit}",
                        f"{fmt_plain(round(threshold * floor, 4))}{item.unit}",
                        fmt_indicator(item.id, value, threshold, met),
                        _calculation(item, seg),
                        _met_text(met, floor_ok, seg[f"{item.id}_missing"], floor_text),
                    ]
                )
            self.table(
                f"{zh}学段资源配置指标",
                ["指标", "指标名称", "标准值", f"{floor_text}%底线", "本校值", "计算", "达标情况"],
                rows,
                [0.9, 4.4, 1.6, 1.6, 1.6, 3.1, 2.4],
                left=(1,),
                note=f"注：✓ 达到标准值；✗ 未达到标准值，括号内说明是否达到标准值的{floor_text}%。",
            )
            verdict = VERDICT[seg["passes"]]
            self.p(f"{zh}学段结论：{verdict}。" + "；".join(seg["reasons"]) + "。")
            n_items = len(self.standard.ratio_items)
            all_met = seg["in_scope"] and seg["n_met"] == n_items
            if all_met:
                # A chart adds nothing to "all seven met" and is most of the time of a
                # county's 一校一册; it is drawn where there is a shortfall to show.
                self.p(f"{zh}学段 {n_items} 项指标均达到标准值，不另附图。")
            elif self.charts is not None:
                png = self.charts.school_chart(self.ev, self.county, self.school_id, level)
                ds.add_picture(
                    self.doc, png, 14.0, f"{self.numbers.figure()} {zh}学段各项指标与标准值比较"
                )

    def other_items(self) -> None:
        """The school's results of the school- and segment-level items (G3, G4, G5, Q3 …)."""
        rows = []
        for item in self.standard.items.values():
            if item.ratio is not None or item.scope == "county":
                continue
            units = self.ev.item_frames.units.get(item.id)
            if units is None:
                continue
            mine = units.filter(pl.col("school_id") == self.school_id)
            for unit in mine.iter_rows(named=True):
                prefix = f"（{LEVEL_ZH.get(unit['level'], '')}）" if unit.get("level") else ""
                for k, check in enumerate(item.checks):
                    ok = unit[f"ok{k}"]
                    value = fmt_check_value(check, unit[f"v{k}"])
                    if ok is None and unit[f"m{k}"]:
                        value += f"（缺少{unit[f'm{k}']}数据）"
                    rows.append(
                        [
                            item.id,
                            f"{check.label}{prefix}",
                            _requirement(check, unit[f"t{k}"]),
                            value,
                            VERDICT[ok],
                        ]
                    )
        if not rows:
            return
        self.h("其他评估项目情况", 1)
        self.p("政府保障程度和教育质量中按学校评估的项目，本校情况如下。")
        self.table(
            "按学校评估的项目",
            ["编号", "检查内容", "要求", "本校情况", "结论"],
            rows,
            [1.1, 5.6, 3.2, 3.9, 1.8],
            left=(1,),
        )

    def gaps(self) -> None:
        self.h("差距测算", 1)
        gaps = self.ev.gaps.filter(
            (pl.col("county") == self.county) & (pl.col("school_id") == self.school_id)
        )
        if gaps.is_empty():
            self.p("本校各项资源配置指标和专用教室均已达到标准，暂无差距。")
            return
        floor_text = fmt_plain(self.standard.segment_rule.floor_ratio * 100)
        sentences = []
        rows = []
        for r in gaps.iter_rows(named=True):
            item = self.standard.items[r["item"]]
            level = LEVEL_ZH.get(r["level"] or "", "")
            amount = f"{fmt_amount(r['shortfall'])}{unit_word(r['unit'])}"
            floor_amount = (
                f"{fmt_amount(r['floor_shortfall'])}{unit_word(r['unit'])}"
                if r["floor_shortfall"]
                else "—"
            )
            if item.ratio is not None:
                current = fmt_indicator(item.id, r["value"], r["threshold"], False)
                standard = fmt_plain(r["threshold"])
            else:
                current = MISSING if r["value"] is None else fmt_plain(r["value"])
                standard = fmt_plain(r["threshold"])
            rows.append(
                [
                    level or "—",
                    r["item"],
                    r["indicator"],
                    current,
                    standard,
                    amount,
                    floor_amount,
                    f"{r['action']}{r['what']}",
                ]
            )
            text = (
                f"{level}{r['indicator']}为{current}，标准为{standard}，"
                f"需{r['action']}{r['what']}{amount}"
            )
            if r["floor_shortfall"]:
                text += f"（其中{floor_amount}为达到标准{floor_text}%底线所必需）"
            sentences.append(text)
        self.p("按照评估标准测算，本校存在以下差距：" + "；".join(sentences) + "。")
        self.table(
            "差距测算",
            ["学段", "指标", "内容", "现值", "标准", "缺口", f"达到{floor_text}%底线需", "措施"],
            rows,
            [1.1, 1.0, 4.0, 1.5, 1.3, 2.1, 2.1, 2.5],
            left=(2, 7),
        )

    def trend(self) -> None:
        self.h("历年指标变化", 1)
        if not self.history:
            self.p(NO_HISTORY)
            return
        years: list[tuple[str, Evaluation]] = sorted(self.history.items(), key=lambda kv: kv[0])
        if not any(ev is self.ev for _, ev in years):
            years.append(("本期", self.ev))
        items = self.standard.ratio_items
        for level, zh in self.levels:
            rows = []
            for year, ev in years:
                seg = ev.segments.filter(
                    (pl.col("school_id") == self.school_id) & (pl.col("level") == level)
                )
                if seg.is_empty():
                    rows.append([year, *([MISSING] * len(items)), "—"])
                    continue
                r = seg.row(0, named=True)
                thresholds = {i.id: i.threshold.get(level) for i in ev.standard.ratio_items}
                values = [
                    fmt_mark(i.id, r.get(i.id), thresholds.get(i.id), r.get(f"{i.id}_met"))
                    if i.id in r
                    else MISSING
                    for i in items
                ]
                verdict = VERDICT[r["passes"]] if r["in_scope"] else "不纳入"
                rows.append([year, *values, verdict])
            self.table(
                f"{zh}学段资源配置指标历年变化",
                ["年度", *(f"{i.id}\n{SHORT_NAMES.get(i.id, '')}" for i in items), "结论"],
                rows,
                [1.5, *([1.75] * len(items)), 1.85],
                font_size=ds.SIZES["小五"],
            )

    def open_tasks(self) -> None:
        self.h("整改任务", 1)
        if not self.tasks:
            self.p(NO_TASKS)
            return
        keys: list[str] = []
        for task in self.tasks:
            keys += [k for k in task if k not in keys]
        self.p(f"本校未完成的整改任务共{len(self.tasks)}项。")
        self.table(
            "整改任务",
            [TASK_COLUMNS.get(k, k) for k in keys],
            [[_cell(task.get(k)) for k in keys] for task in self.tasks],
            [ds.TEXT_WIDTH_CM / len(keys)] * len(keys),
            left=tuple(range(len(keys))),
        )


def _or_missing(value: Any, unit: str = "") -> str:
    return MISSING if value is None else f"{value}{unit}"


def _input(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float):
        return fmt_number(value, 0 if value.is_integer() else 2, thousands=True)
    return str(value)


def _calculation(item: Item, seg: dict[str, Any]) -> str:
    """ "2 ÷ 320 × 100": the numerator and denominator the value was computed from."""
    num, den = seg[f"{item.id}_num"], seg[f"{item.id}_den"]
    if num is None or den is None:
        return MISSING
    assert item.ratio is not None
    factor = f" × {fmt_plain(item.ratio.factor)}" if item.ratio.factor != 1 else ""
    return f"{fmt_amount(round(num, 2))} ÷ {int(den)}{factor}"


def _met_text(met: bool | None, floor_ok: bool | None, missing: str | None, floor: str) -> str:
    if met is None:
        return f"无法计算（缺少{missing or '数据'}）"
    if met:
        return f"{MARK[True]} 达标"
    return f"{MARK[False]} 未达标（{'不低于' if floor_ok else '低于'}{floor}%）"


def _requirement(check: Any, threshold: Any) -> str:
    """The requirement of one check for this unit, with the unit's own threshold value."""
    if check.op == "in":
        return f"属于 {threshold}"
    if isinstance(threshold, bool):
        return "是" if threshold else "否"
    if threshold is None:
        return MISSING
    sign = OPERATORS[check.op]
    if check.percent and isinstance(threshold, (int, float)):
        return f"{sign} {fmt_plain(round(threshold * 100, 4))}%"
    if isinstance(threshold, float) and threshold.is_integer():
        threshold = int(threshold)
    if isinstance(threshold, float):
        return f"{sign} {fmt_plain(threshold)}{check.unit}"
    return f"{sign} {threshold}{check.unit}"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Every school of a county, in parallel
# ---------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """Ask Linux to end this process when the one that started it dies (a background worker
    killed in the middle must not leave its helpers writing into a folder being cleared)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the helpers end when they find the pool gone


def _init_worker(payload: bytes) -> None:
    """Unpickle the evaluation (and dataset) once per worker process."""
    _die_with_parent()
    evaluation, dataset, county, date, charts, basis = pickle.loads(payload)
    _WORKER.update(
        evaluation=evaluation, dataset=dataset, county=county, date=date, charts=charts, basis=basis
    )


def _write_job(job: tuple[str, str]) -> str:
    school_id, path = job
    write_school_book(
        _WORKER["evaluation"],
        _WORKER["county"],
        school_id,
        Path(path),
        dataset=_WORKER["dataset"],
        date=_WORKER["date"],
        charts=_WORKER["charts"],
        basis=_WORKER["basis"],
    )
    return path


def write_school_books(
    evaluation: Evaluation,
    county: str,
    folder: Path,
    *,
    dataset: Dataset | None = None,
    workers: int | None = None,
    zip_path: Path | None = None,
    date: dt.date | None = None,
    charts: bool = True,
    progress: Callable[[int, int], None] | None = None,
    basis: str | None = None,
) -> list[Path]:
    """One 一校一册 per in-scope school of `county` in `folder`; returns the paths in school
    order. Uses `workers` processes (default: every CPU core); `zip_path` also packs all
    booklets into one zip file; `progress(done, total)` is told after each school."""
    if county not in evaluation.counties:
        raise KeyError(f"评估结果中没有县区“{county}”")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [
        (school_id, str(folder / book_filename(school_id, name)))
        for school_id, name in in_scope_schools(evaluation, county)
    ]
    day = date or clock.today()
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    total = len(jobs)
    tell = progress or (lambda done, total: None)
    tell(0, total)
    paths: list[Path] = []
    if n_workers == 1:
        for sid, p in jobs:
            paths.append(
                write_school_book(
                    evaluation,
                    county,
                    sid,
                    Path(p),
                    dataset=dataset,
                    date=day,
                    charts=charts,
                    basis=basis,
                )
            )
            tell(len(paths), total)
    else:
        # Spawned workers start clean (forking a process whose Polars thread pool is busy can
        # deadlock); the evaluation travels once per worker as one pickle.
        payload = pickle.dumps((evaluation, dataset, county, day, charts, basis))
        chunk = max(1, len(jobs) // (n_workers * 4))
        with ProcessPoolExecutor(
            max_workers=n_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(payload,),
        ) as pool:
            for p in pool.map(_write_job, jobs, chunksize=chunk):
                paths.append(Path(p))
                tell(len(paths), total)
    if zip_path is not None:
        _zip(paths, Path(zip_path))
    return paths


def _zip(paths: Iterable[Path], zip_path: Path) -> Path:
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_suffix(zip_path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=path.name)
    os.replace(tmp, zip_path)
    return zip_path
