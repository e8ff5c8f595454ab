"""`junheng …` commands: a thin shell that reads, calls the core, and prints or writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from junheng import clock
from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation, evaluate
from junheng.core.formatting import fmt_number
from junheng.core.schema import LEVEL_ZH, SCHOOLS
from junheng.core.standard import Standard, StandardError
from junheng.core.wording import part_reason
from junheng.demo import demo_county, national_dataset
from junheng.intake.reader import read_dataset
from junheng.intake.writer import write_csv_folder
from junheng.reports.results_xlsx import write_results_xlsx
from junheng.reports.tables import requirement_text
from junheng.standards import DEFAULT_STANDARD, available_standards, load_standard

if TYPE_CHECKING:
    from junheng.core.forecast import Forecast

app = typer.Typer(
    name="junheng",
    help="均衡：县域义务教育优质均衡发展评估。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

MARK = {True: "[green]✓ 达标[/]", False: "[red]✗ 未达标[/]", None: "[yellow]? 无法判定[/]"}
VETO_MARK = {True: "[green]✓ 无[/]", False: "[red]✗ 存在[/]", None: "[yellow]? 无法判定[/]"}
_KIND_ZH = dict(SCHOOLS.column("kind").enum)

StandardOption = Annotated[
    str, typer.Option("--standard", "-s", help="评估标准标识或标准文件路径（见 junheng standards）")
]
PolicyOption = Annotated[
    list[str] | None,
    typer.Option("--policy", "-p", help="覆盖政策取值，如 comparison_decimals=2（可多次使用）"),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]错误：[/]{message}")
    return typer.Exit(code)


def _today() -> dt.date:
    """Today in the county's time zone (JUNHENG_TIME_ZONE), whatever the machine's clock zone."""
    try:
        return clock.today()
    except clock.TimeZoneError as exc:
        raise _fail(str(exc)) from exc


def _standard(standard_id: str, policies: list[str] | None) -> Standard:
    try:
        standard = load_standard(standard_id)
        overrides: dict[str, str] = {}
        for text in policies or []:
            if "=" not in text:
                raise _fail(f"政策写法应为 名称=取值，如 comparison_decimals=2，实际为“{text}”")
            key, value = text.split("=", 1)
            overrides[key.strip()] = value
        return standard.with_policies(overrides)
    except StandardError as exc:
        raise _fail(str(exc)) from None


def _dataset(path: Path) -> Dataset:
    if not path.exists():
        raise _fail(f"找不到数据：{path}（应为 CSV 文件夹或 .xlsx 工作簿）")
    result = read_dataset(path)
    if result.warnings:
        err.print(f"[yellow]数据提示（{len(result.warnings)} 条，不影响评估）：[/]")
        err.print(Text(result.__class__(None, result.warnings).text()))
    if not result.ok:
        err.print(f"[red]数据有 {len(result.blocking)} 处错误，未进行评估。请按下表修改后重试：[/]")
        err.print(Text(result.__class__(None, result.blocking).text()))
        raise typer.Exit(2)
    assert result.dataset is not None
    return result.dataset


def _write_outputs(evaluation: Evaluation, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "evaluation.json"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(json_path)
    xlsx_path = write_results_xlsx(evaluation, out / "评估结果.xlsx")
    return [json_path, xlsx_path]


def _print_county(evaluation: Evaluation, county: str) -> None:
    standard = evaluation.standard
    verdict = evaluation.verdicts[county]
    console.rule(f"[bold]{county}[/]  ·  {standard.name}（{standard.id} {standard.version}）")

    parts = Table(title="评估结论", show_lines=False, title_justify="left")
    parts.add_column("方面")
    parts.add_column("结论")
    parts.add_column("主要原因", overflow="fold")
    results = evaluation.items[county]
    for key, part in verdict.parts.items():
        mark = VETO_MARK if key == "V" else MARK
        reason = part_reason(key, part, results)
        parts.add_row(part.name, mark[part.passes], reason)
    parts.add_row("[bold]总体[/]", f"[bold]{MARK[verdict.passes]}[/]", "")
    console.print(parts)

    balance = evaluation.balance.filter(pl.col("county") == county)
    cv = Table(title="校际差异系数（按在校生数加权）", title_justify="left")
    cv.add_column("指标")
    for level, zh in LEVEL_ZH.items():
        limit = balance.filter(pl.col("level") == level)["limit"].max()
        cv.add_column(f"{zh}（≤ {fmt_number(limit, 2)}）", justify="right")
    for item in standard.ratio_items:
        cells = []
        for level in LEVEL_ZH:
            row = balance.filter((pl.col("level") == level) & (pl.col("indicator") == item.id))
            value, ok = row["cv"][0], row["passes"][0]
            color = {True: "green", False: "red", None: "yellow"}[ok]
            cells.append(f"[{color}]{fmt_number(value, 3)}[/]")
        cv.add_row(f"{item.id} {item.name}", *cells)
    console.print(cv)

    segments = evaluation.segments.filter(
        (pl.col("county") == county) & pl.col("in_scope") & pl.col("passes").ne_missing(True)
    )
    in_scope = evaluation.segments.filter((pl.col("county") == county) & pl.col("in_scope"))
    table = Table(
        title=f"未达标或无法判定的学段（{segments.height} / {in_scope.height}）",
        title_justify="left",
    )
    table.add_column("学校")
    table.add_column("学段")
    table.add_column("结论")
    table.add_column("原因", overflow="fold")
    for row in segments.iter_rows(named=True):
        table.add_row(
            row["name"],
            LEVEL_ZH.get(row["level"], row["level"]),
            MARK[row["passes"]],
            "\n".join(row["reasons"][1:] or row["reasons"]),
        )
    if segments.height:
        console.print(table)

    items = [r for r in evaluation.items[county] if r.passes is not True]
    if items:
        table = Table(title="未达标或无法判定的评估项目", title_justify="left")
        table.add_column("编号")
        table.add_column("评估内容", overflow="fold", max_width=30)
        table.add_column("结论")
        table.add_column("情况", overflow="fold")
        for result in items:
            item = standard.items[result.item]
            mark = VETO_MARK if item.part == "V" else MARK
            table.add_row(item.id, item.name, mark[result.passes], result.reason)
        console.print(table)

    totals = evaluation.totals.filter(pl.col("county") == county)
    if totals.height:
        console.print("[bold]差距测算（达到标准所需）[/]")
        for sentence in totals["sentence"]:
            console.print(f"  • {sentence}")


def _run(evaluation: Evaluation, as_json: bool, out: Path | None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        for county in evaluation.counties:
            _print_county(evaluation, county)
    if out is not None:
        paths = _write_outputs(evaluation, out)
        target = err if as_json else console
        target.print("已写出：" + "，".join(str(p) for p in paths))


@app.command("evaluate")
def evaluate_command(
    path: Annotated[Path, typer.Argument(help="数据集：CSV 文件夹或 .xlsx 工作簿")],
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="只输出 JSON（评估结果契约格式）")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="把 JSON 和 Excel 结果写入该文件夹")
    ] = None,
) -> None:
    """评估数据集中的每个县，打印结论表；可输出 JSON 和 Excel。"""
    chosen = _standard(standard, policy)
    _run(evaluate(_dataset(path), chosen), as_json, out)


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="结果输出文件夹")] = Path("output"),
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出 JSON")] = False,
) -> None:
    """评估内置的示范县，打印结论表，并把结果（JSON、Excel）和示范数据写入输出文件夹。"""
    chosen = _standard(standard, policy)
    dataset = demo_county()
    data_dir = out / "示范县数据"
    write_csv_folder(dataset, data_dir)
    _run(evaluate(dataset, chosen), as_json, out)
    target = err if as_json else console
    target.print(f"示范县原始数据（CSV，可作为填报格式参考）：{data_dir}")


@app.command("web")
def web_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            envvar="JUNHENG_HOST",
            help="监听地址；默认只有本机可以访问，0.0.0.0 允许局域网内的电脑和手机访问",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", envvar="JUNHENG_PORT", min=1, max=65535, help="端口")
    ] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", envvar="JUNHENG_WORKERS", min=1, help="工作进程数")
    ] = 2,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="载入示范县数据并创建演示账号（已有的数据不会改动）"),
    ] = True,
) -> None:
    """启动网页系统：建立数据库，载入示范县 2024—2026 年数据，创建各角色的演示账号，再启动服务。"""
    # Imported here: the other commands need neither Django nor gunicorn.
    from junheng.web.serve import serve

    raise typer.Exit(serve(host=host, port=port, workers=workers, demo=demo))


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="写出合成数据集（CSV 文件夹）的位置")],
    counties: Annotated[int, typer.Option("--counties", "-n", min=1, help="县的个数")] = 3000,
    per_county: Annotated[
        int, typer.Option("--segments-per-county", min=10, help="每县学段数")
    ] = 67,
    seed: Annotated[int, typer.Option(help="随机种子（相同种子生成相同数据）")] = 1,
) -> None:
    """生成大规模合成数据集（默认全国规模：3000 个县、约 20 万个学段），用于性能测试和演练。"""
    dataset = national_dataset(counties=counties, segments_per_county=per_county, seed=seed)
    write_csv_folder(dataset, out)
    console.print(
        f"已写出 {counties} 个县、{dataset.schools.height} 所学校、"
        f"{dataset.segments.height} 个学段：{out}"
    )


template_app = typer.Typer(help="生成 Excel 填报模板：全县一本，或一校一册。", no_args_is_help=True)
app.add_typer(template_app, name="template")


@template_app.command("county")
def template_county_command(
    out: Annotated[Path, typer.Argument(help="模板文件路径（.xlsx）")],
    schools: Annotated[
        Path | None,
        typer.Option("--schools", help="已有数据集或学校名录（CSV 文件夹或 .xlsx），用于预填学校"),
    ] = None,
    year: Annotated[str, typer.Option("--year", help="学年，如 2026")] = "",
) -> None:
    """全县填报模板：学校、学段、县级指标、学校指标四张表，带下拉选项、数值校验和填报说明。"""
    from junheng.intake.templates import write_county_template

    dataset = _dataset(schools) if schools is not None else None
    path = write_county_template(
        out if out.suffix else out.with_suffix(".xlsx"),
        dataset.schools if dataset is not None else None,
        counties=dataset.counties if dataset is not None else None,
        year=year,
    )
    console.print(f"已生成全县填报模板：{path}")


@template_app.command("schools")
def template_schools_command(
    source: Annotated[Path, typer.Argument(help="学校名录或已有数据集（CSV 文件夹或 .xlsx）")],
    out: Annotated[Path, typer.Option("--out", "-o", help="一校一册输出文件夹")] = Path("一校一册"),
    previous: Annotated[
        Path | None, typer.Option("--previous", help="上一学年数据集：其数值显示在填报栏旁")
    ] = None,
    year: Annotated[str, typer.Option("--year", help="学年，如 2026")] = "",
) -> None:
    """一校一册：每校一个工作簿，预填学校信息；有上年数据时在填报栏旁显示上年数值。"""
    from junheng.intake.school_form import write_school_workbooks

    dataset = _dataset(source)
    before = _dataset(previous) if previous is not None else None
    paths = write_school_workbooks(dataset, out, year=year, previous=before)
    console.print(f"已生成 {len(paths)} 所学校的填报工作簿：{out}")


ledger_app = typer.Typer(help="整改台账：问题清单和台账工作簿的导出、校验。", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("problems")
def ledger_problems_command(
    path: Annotated[Path, typer.Argument(help="数据集：CSV 文件夹或 .xlsx 工作簿")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="问题清单工作簿（.xlsx），可填写后作为台账")
    ] = None,
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
    year: Annotated[
        str | None,
        typer.Option("--year", help="学年，写在问题编号前（如 2026-R4-小学-城关一小）；默认为今年"),
    ] = None,
) -> None:
    """评估数据集并列出问题清单：每个未达标的指标、超限的差异系数、不符合的项目各一条。"""
    from junheng.core.output import county_to_dict
    from junheng.rectification.ledger_xlsx import rows_from_drafts, write_ledger
    from junheng.rectification.problems import problem_number, problems_from_evaluation

    label = year or str(_today().year)

    def number(draft: Any) -> str:
        # the number people read; the web ledger reads it back to the same problem
        return problem_number(draft.key, label, draft.school_name or "")

    evaluation = evaluate(_dataset(path), _standard(standard, policy))
    for county in evaluation.counties:
        drafts = problems_from_evaluation(county_to_dict(evaluation, county), evaluation.standard)
        problems = [d for d in drafts if not d.missing]
        missing = [d for d in drafts if d.missing]
        table = Table(title=f"{county} 问题清单（{len(problems)} 条）", title_justify="left")
        for header in ("序号", "问题编号", "类别", "问题", "差距"):
            table.add_column(header, overflow="fold")
        for index, draft in enumerate(problems, 1):
            gap = ""
            if draft.gap is not None:
                whole = float(draft.gap).is_integer()
                amount = fmt_number(draft.gap, 0 if whole else 2, thousands=True)
                gap = f"{draft.gap_what} {amount} {draft.gap_unit}"
            table.add_row(str(index), number(draft), draft.category, draft.title, gap)
        console.print(table)
        for draft in missing:
            console.print(f"[yellow]数据缺失：[/]{draft.title}：{draft.description}")
        if out is not None:
            target = out if out.suffix else out.with_suffix(".xlsx")
            if len(evaluation.counties) > 1:
                target = target.with_name(f"{target.stem}_{county}{target.suffix}")
            rows = [
                dataclasses.replace(row, problem_key=number(draft))
                for row, draft in zip(rows_from_drafts(problems), problems, strict=True)
            ]
            numbered = [dataclasses.replace(d, key=number(d)) for d in missing]
            write_ledger(rows, target, f"{county}问题清单", numbered)
            console.print(
                f"已写出问题清单：{target}（填写牵头单位、责任人、完成时限后即为整改台账）"
            )


@ledger_app.command("check")
def ledger_check_command(
    path: Annotated[Path, typer.Argument(help="整改台账工作簿（.xlsx）")],
    today: Annotated[
        str | None, typer.Option("--today", help="按哪一天判断逾期，如 2026-07-01（默认今天）")
    ] = None,
) -> None:
    """校验整改台账工作簿：逐个单元格指出错误；无误时按状态统计，并列出逾期的任务。"""
    from junheng.intake.errors import errors_to_text
    from junheng.rectification.ledger_xlsx import parse_date, read_ledger
    from junheng.rectification.tasks import OVERDUE, Status, display_status

    day = parse_date(today) if today else _today()
    if day is None:
        raise _fail(f"--today 应为日期，如 2026-07-01，实际为“{today}”")
    result = read_ledger(path)
    if not result.ok:
        err.print(Text(errors_to_text(result.errors)))
        err.print(f"[red]台账有 {len(result.errors)} 处错误，请按上表修改后重新校验。[/]")
        raise typer.Exit(2)
    shown = [display_status(row.task(), day) for row in result.rows]
    order = [*(s.value for s in Status if s != Status.CLOSED), OVERDUE, Status.CLOSED.value]
    counts = "，".join(f"{s} {shown.count(s)} 条" for s in order if s in shown)
    console.print(f"[green]台账无误：[/]共 {len(result.rows)} 条整改任务（{counts or '无'}）")
    for row, status in zip(result.rows, shown, strict=True):
        if status == OVERDUE:
            console.print(
                f"  [red]逾期[/] {row.problem}（牵头单位 {row.lead_unit}，"
                f"完成时限 {row.deadline.isoformat() if row.deadline else '—'}）"
            )


@app.command("import")
def import_command(
    files: Annotated[
        list[Path], typer.Argument(help="要导入的工作簿（全县模板或一校一册）或 CSV 文件夹")
    ],
    into: Annotated[Path, typer.Option("--into", help="导入到的数据集文件夹（不存在则新建）")],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="上一学年数据集，用于逐年合理性提示")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="问题清单和标注工作簿的输出文件夹（默认：数据集旁的“导入报告”）"
        ),
    ] = None,
) -> None:
    """导入填报工作簿并合并为一个数据集：有错误则一项也不写入，并输出问题清单和标注后的工作簿。"""
    from junheng.intake.errors import errors_to_text
    from junheng.intake.importer import import_sources
    from junheng.intake.report import write_import_report

    missing = [f for f in files if not f.exists()]
    if missing:
        raise _fail("找不到文件：" + "、".join(str(f) for f in missing))
    with console.status(f"正在读取和校验 {len(files)} 个文件…"):
        result = import_sources(files, into, previous=previous)
    folder = report or into.parent / "导入报告"
    if result.errors:
        paths = write_import_report(result.errors, result.sources, folder)
        text = errors_to_text(result.errors)
        (err if not result.ok else console).print(Text(text))
        console.print("问题清单和标注后的工作簿：" + "，".join(str(p) for p in paths))
    if not result.ok:
        err.print(
            f"[red]发现 {len(result.blocking)} 处错误，未写入任何数据。[/]"
            "请按问题清单修改工作簿后重新导入。"
        )
        raise typer.Exit(2)
    assert result.dataset is not None
    console.print(
        f"[green]导入完成：[/]{len(result.sources)} 个文件，"
        f"数据集现有 {result.dataset.schools.height} 所学校、"
        f"{result.dataset.segments.height} 个学段：{into}"
        + (f"（{len(result.warnings)} 条提示，请核对）" if result.warnings else "")
    )


REPORT_KINDS = ("self-evaluation", "school", "tables", "all")


@app.command("report")
def report_command(
    path: Annotated[Path, typer.Argument(help="数据集：CSV 文件夹或 .xlsx 工作簿")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            "-k",
            help="self-evaluation（自评报告）、school（一校一册）、tables（附表）或 all（全部）",
        ),
    ] = "all",
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件夹")] = Path("output"),
    county: Annotated[
        str | None, typer.Option("--county", help="只生成该县的报告（默认：数据集中的每个县）")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时导出 PDF（需要 LibreOffice）")] = False,
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
) -> None:
    """生成自评报告（.docx）、一校一册（每校 .docx 及 zip）和附表（.xlsx），数字均来自评估。"""
    from junheng.reports.pdf import PdfUnavailable, pdf_available, to_pdf
    from junheng.reports.school_book import write_school_books
    from junheng.reports.self_evaluation import write_self_evaluation
    from junheng.reports.tables import write_tables_xlsx

    if kind not in REPORT_KINDS:
        raise _fail(f"报告类型“{kind}”无效，应为 {'、'.join(REPORT_KINDS)} 之一")
    if pdf and not pdf_available():
        raise _fail(
            "未找到 LibreOffice（soffice），无法导出 PDF；请安装 LibreOffice 后重试，"
            "或去掉 --pdf 直接使用 .docx 文件"
        )
    day = _today()
    dataset = _dataset(path)
    evaluation = evaluate(dataset, _standard(standard, policy))
    counties = [county] if county else evaluation.counties
    unknown = [c for c in counties if c not in evaluation.counties]
    if unknown:
        raise _fail(f"数据集中没有“{unknown[0]}”；可选：{'、'.join(evaluation.counties)}")
    written: list[Path] = []
    for name in counties:
        folder = out / name
        if kind in ("self-evaluation", "all"):
            with console.status(f"正在生成{name}自评报告…"):
                written.append(
                    write_self_evaluation(
                        evaluation,
                        name,
                        folder / f"{name}自评报告.docx",
                        dataset=dataset,
                        date=day,
                    )
                )
        if kind in ("tables", "all"):
            written.append(write_tables_xlsx(evaluation, folder / f"{name}评估附表.xlsx", name))
        if kind in ("school", "all"):
            with console.status(f"正在生成{name}一校一册…"):
                books = write_school_books(
                    evaluation,
                    name,
                    folder / "一校一册",
                    dataset=dataset,
                    zip_path=folder / f"{name}一校一册.zip",
                    date=day,
                )
            console.print(f"一校一册：{len(books)} 所学校，{folder / '一校一册'}")
            written.append(folder / f"{name}一校一册.zip")
    if pdf:
        for document in [p for p in written if p.suffix == ".docx"]:
            try:
                written.append(to_pdf(document, document.parent))
            except PdfUnavailable as exc:
                raise _fail(str(exc)) from None
    for item in written:
        console.print(f"已生成：{item}")


@app.command("gaps")
def gaps_command(
    path: Annotated[Path, typer.Argument(help="数据集：CSV 文件夹或 .xlsx 工作簿")],
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出 JSON")] = False,
) -> None:
    """差距测算：每所未达标学校缺多少教师、面积、设备、教室，全县合计，以及拉高差异系数的学校。"""
    evaluation = evaluate(_dataset(path), _standard(standard, policy))
    top = evaluation.top_contributors()
    if as_json:
        payload = {
            "standard": evaluation.standard.id,
            "gaps": evaluation.gaps.to_dicts(),
            "totals": evaluation.totals.to_dicts(),
            "cv_contributors": top.to_dicts(),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    for county in evaluation.counties:
        console.rule(f"[bold]{county}[/] 差距测算")
        gaps = evaluation.gaps.filter(pl.col("county") == county)
        table = Table(title_justify="left", title="各校缺口（达到标准所需）")
        for header in ("学校", "学段", "指标", "现值", "标准", "缺口"):
            table.add_column(
                header, justify="right" if header in ("现值", "标准", "缺口") else "left"
            )
        for r in gaps.iter_rows(named=True):
            whole = float(r["shortfall"]).is_integer()
            table.add_row(
                r["name"],
                LEVEL_ZH.get(r["level"] or "", ""),
                f"{r['item']} {r['indicator']}",
                fmt_number(r["value"], 2),
                fmt_number(r["threshold"], 2),
                f"{fmt_number(r['shortfall'], 0 if whole else 2, thousands=True)} {r['unit']}",
            )
        console.print(table)
        console.print("[bold]全县合计[/]")
        for sentence in evaluation.totals.filter(pl.col("county") == county)["sentence"]:
            console.print(f"  • {sentence}")
        mine = top.filter(pl.col("county") == county)
        if mine.height:
            table = Table(title="差异系数超限：贡献最大的学校", title_justify="left")
            for header in ("学段", "指标", "学校", "在校生", "值", "均值", "方差占比"):
                table.add_column(header)
            for r in mine.iter_rows(named=True):
                table.add_row(
                    LEVEL_ZH[r["level"]],
                    r["indicator"],
                    r["name"],
                    str(r["students"]),
                    fmt_number(r["value"], 2),
                    fmt_number(r["mean"], 2),
                    f"{r['share'] * 100:.1f}%（{r['direction']}）",
                )
            console.print(table)


@app.command("forecast")
def forecast_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="数据集：CSV 文件夹或 .xlsx 工作簿，须含“年级在校生”表；不填则用内置示范县"
        ),
    ] = None,
    target_year: Annotated[
        int,
        typer.Option("--target-year", "-y", help="目标年份（秋季学期所在年份），如 2028"),
    ] = 0,
    scenario: Annotated[
        str, typer.Option("--scenario", help="预测方案：low（低）、median（中，默认）、high（高）")
    ] = "median",
    standard: StandardOption = DEFAULT_STANDARD,
    policy: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出 JSON")] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="把预测写入该 .xlsx 工作簿（数据含多个县时每县一个文件）"),
    ] = None,
) -> None:
    """目标年预测：按年级递推预测各校在校生数（低、中、高方案，附回测误差），计入建设项目和招聘计划，再用同一评估标准评估预测年的数据，并列出学位缺口和编制。"""
    from junheng.cli_plan import json_default, plan_payload, print_plan
    from junheng.core.forecast import forecast
    from junheng.core.projection import SCENARIO_ZH, ProjectionError
    from junheng.reports.forecast_tables import signed_percent

    if target_year <= 0:
        raise _fail("请用 --target-year 给出目标年份，如 --target-year 2028")
    if scenario not in SCENARIO_ZH:
        raise _fail(f"--scenario 只能是 low、median 或 high，实际为“{scenario}”")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise _fail(f"--out 应为 .xlsx 文件，实际为“{out}”")
    chosen = _standard(standard, policy)
    if path is None:
        dataset = _plan_demo()
        _say_demo(
            as_json,
            f"含 {_span(dataset.grades)}各年级在校生数和历年出生人口，"
            f"{_span(dataset.classes)}班级学生数，建设项目和编制与招聘计划",
        )
    else:
        dataset = _dataset(path)
    try:
        result = forecast(dataset, target_year, scenario, standard=chosen)
    except ProjectionError as exc:
        raise _fail(str(exc)) from None
    projection = result.projection
    if as_json:
        payload = {
            "target_year": target_year,
            "scenario": scenario,
            "base_year": projection.base_year,
            "method": result.method,
            "projection": {
                "levels": projection.levels.to_dicts(),
                "schools": projection.schools.to_dicts(),
            },
            "backtest": projection.backtest.to_dicts() if projection.backtest is not None else None,
            "backtest_note": projection.backtest_note,
            "unprojected": result.unprojected.to_dicts(),
            "evaluation": result.evaluation.to_dict(),
            **plan_payload(result),
        }
        sys.stdout.write(
            json.dumps(payload, ensure_ascii=False, indent=2, default=json_default) + "\n"
        )
        if out is not None:
            _write_forecasts(result, evaluate(dataset, chosen), out, err)
        return
    base = projection.base_year
    # The latest year judged as it is, to show what the projected enrolment changes.
    entries = {"today": evaluate(dataset, chosen), "future": result.evaluation}
    today, future = (
        {entry["county"]: entry for entry in entries[key].to_dict()["counties"]}
        for key in ("today", "future")
    )
    for county in result.evaluation.counties:
        console.rule(f"[bold]{county}[/]  ·  {target_year} 年秋季预测（{SCENARIO_ZH[scenario]}）")
        console.print(Text(result.method))
        levels = projection.levels.filter(pl.col("county") == county)
        table = Table(title="在校生预测（人）", title_justify="left")
        table.add_column("学段")
        table.add_column(f"{base} 年实际", justify="right")
        for key, zh in SCENARIO_ZH.items():
            mark = "（采用）" if key == scenario else ""
            table.add_column(f"{target_year} 年{zh}{mark}", justify="right")
        for row in levels.iter_rows(named=True):
            table.add_row(
                LEVEL_ZH[row["level"]],
                fmt_number(row["base"], 0, thousands=True),
                *(fmt_number(row[key], 0, thousands=True) for key in SCENARIO_ZH),
            )
        if levels.is_empty():
            console.print(
                f"该县没有 {base} 年的年级在校生数据，未作预测：以下按最近一年的在校生数评估。"
            )
        else:
            console.print(table)
        backtest = projection.backtest
        if levels.is_empty():
            pass
        elif backtest is None:
            console.print(Text(f"回测：{projection.backtest_note}"))
        else:
            table = Table(
                title=f"回测：用 {base} 年以前的数据预测 {base} 年，与实际比较",
                title_justify="left",
            )
            for header in ("学段", "实际（人）", "预测（中方案）", "误差（人）", "误差（%）"):
                table.add_column(header, justify="left" if header == "学段" else "right")
            for row in backtest.filter(pl.col("county") == county).iter_rows(named=True):
                # The per cent signed like the pupils (projected − actual), as on the page.
                pct = signed_percent(row["error"], row["error_pct"])
                table.add_row(
                    LEVEL_ZH[row["level"]],
                    fmt_number(row["actual"], 0, thousands=True),
                    fmt_number(row["projected"], 0, thousands=True),
                    f"{row['error']:+,d}",
                    "—" if pct is None else f"{pct:+.1f}%",
                )
            console.print(table)
        _print_county(result.evaluation, county)
        _print_changes(today.get(county), future.get(county), base, target_year)
        print_plan(console, result, county)
    if out is not None:
        _write_forecasts(result, entries["today"], out, console)


def _span(frame: pl.DataFrame) -> str:
    """The years of a plan table as the demo notice says them: "2022—2026 年"."""
    from junheng.cli_plan import year_span

    years = frame.get_column("year").drop_nulls().to_list()
    return year_span(years) if years else ""


def _plan_demo() -> Dataset:
    """The demo county of its latest school year with the creation plan's tables."""
    from junheng.demo_plans import with_plans

    dataset = demo_county(with_grades=True)
    return with_plans(dataset, int(dataset.grades.get_column("year").max()))


def _say_demo(as_json: bool, contents: str) -> None:
    (err if as_json else console).print(f"未给出数据集，使用内置示范县（{contents}）。")


def _write_forecasts(result: Forecast, today: Evaluation, out: Path, target: Console) -> None:
    """目标年预测.xlsx per county: `out` itself for one county, else `out` with the county's
    name added before the suffix."""
    from junheng.reports.forecast_tables import forecast_page
    from junheng.reports.forecast_xlsx import write_forecast_xlsx

    counties = result.evaluation.counties
    for county in counties:
        path = out if len(counties) == 1 else out.with_name(f"{out.stem}-{county}{out.suffix}")
        try:
            written = write_forecast_xlsx(
                result, forecast_page(result, today, county), county, path
            )
        except OSError as exc:
            raise _fail(f"无法写入 {path}：{exc.strerror or exc}") from None
        target.print(f"{county}预测工作簿已写入：{written}")


def _county_choice(
    available: list[str], dataset: Dataset, county: str | None, missing: str
) -> list[str]:
    """The counties to show: `county` when given, else all of `available` (the counties with
    the table's rows); `missing` says what the data lacks, for a county without them."""
    if county is None:
        return available
    if county in available:
        return [county]
    known = dataset.schools.get_column("county").unique(maintain_order=True).to_list()
    if county in known:
        raise _fail(f"{county}{missing}")
    listed = "、".join(dict.fromkeys([*known, *available]))
    raise _fail(f"数据中没有县区“{county}”；有：{listed}")


@app.command("classes")
def classes_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="数据集：CSV 文件夹或 .xlsx 工作簿，须含“班级学生数”表；不填则用内置示范县"
        ),
    ] = None,
    county: Annotated[str | None, typer.Option("--county", help="只看这个县区")] = None,
    standard: StandardOption = DEFAULT_STANDARD,
    as_json: Annotated[bool, typer.Option("--json", help="只输出 JSON")] = False,
) -> None:
    """班额：各学年、各学段标准班额、超标准班额、大班额、超大班额的班级数，消除大班额目标的实现情况，以及超过评估标准班额上限（G5）的班级。"""
    from junheng.cli_plan import print_class_sizes
    from junheng.core.class_sizes import class_sizes_entries
    from junheng.core.schema import CLASSES

    chosen = _standard(standard, None)
    if path is None:
        dataset = _plan_demo()
        _say_demo(as_json, f"含 {_span(dataset.classes)}班级学生数")
    else:
        dataset = _dataset(path)
    counties = dataset.schools.get_column("county").unique(maintain_order=True).to_list()
    every = class_sizes_entries(dataset, standard=chosen)
    found = {c: every.get(c) for c in counties}
    available = [c for c, data in found.items() if data is not None]
    missing = (
        f"没有{CLASSES.zh}数据，无法统计班额：请在全县填报模板的“{CLASSES.zh}”工作表中"
        "逐班填写学生数后重试"
    )
    if not available:
        raise _fail(f"数据中{missing}。")
    chosen_counties = _county_choice(available, dataset, county, missing + "。")
    if as_json:
        payload = {c: found[c] for c in chosen_counties}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    for name in chosen_counties:
        print_class_sizes(console, name, found[name])
    for name in counties:
        if county is None and found[name] is None:
            console.print(f"{name}：没有{CLASSES.zh}数据，未统计班额。")


@app.command("finance")
def finance_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="数据集：CSV 文件夹或 .xlsx 工作簿，须含“县级教育经费”表；不填则用内置示范县"
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="教育经费检查规则文件（.yaml）；不填则用全国规则"),
    ] = None,
    county: Annotated[str | None, typer.Option("--county", help="只看这个县区")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出 JSON")] = False,
) -> None:
    """县级教育经费：逐年检查“两个只增不减”、土地出让收益计提、教育费附加、教师培训经费和教师工资，列出未达标和无法判定的原因。"""
    from junheng.cli_plan import print_finance
    from junheng.core.finance import FinanceError, check_finance, finance_to_dict
    from junheng.core.finance_rules import FinanceRulesError, load_finance_rules
    from junheng.core.schema import FINANCE

    try:
        finance_rules = load_finance_rules(rules)
    except FinanceRulesError as exc:
        raise _fail(str(exc)) from None
    if path is None:
        dataset = _plan_demo()
        _say_demo(as_json, f"含 {_span(dataset.finance)}{FINANCE.zh}")
    else:
        dataset = _dataset(path)
    try:
        report = check_finance(dataset, rules=finance_rules)
    except FinanceError as exc:
        raise _fail(str(exc)) from None
    missing = (
        f"没有{FINANCE.zh}数据，无法检查教育经费：请在全县填报模板的“{FINANCE.zh}”工作表中"
        "逐年填写后重试"
    )
    if not report.counties:
        raise _fail(f"数据中{missing}。")
    chosen_counties = _county_choice(list(report.counties), dataset, county, missing + "。")
    if as_json:
        payload = {c: finance_to_dict(report, c) for c in chosen_counties}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    for name in chosen_counties:
        print_finance(console, name, finance_to_dict(report, name))


def _print_changes(
    today: dict[str, Any] | None, future: dict[str, Any] | None, base: int, target: int
) -> None:
    """What the projected year changes against the latest year's own evaluation."""
    from junheng.core.diff import compare_entries

    if today is None or future is None:
        return
    diff = compare_entries(today, future)
    if diff.empty:
        console.print(f"与 {base} 年现状相比，{target} 年的评估结论没有变化。")
        return
    table = Table(title=f"与 {base} 年现状相比的变化", title_justify="left")
    table.add_column("对象")
    table.add_column(f"{base} 年")
    table.add_column(f"{target} 年（预测）")
    if diff.verdict is not None:
        table.add_row("总体结论", MARK[diff.verdict.old], MARK[diff.verdict.new])
    for change in diff.segments:
        table.add_row(
            f"{change.name}（{LEVEL_ZH.get(change.level, change.level)}）",
            MARK[change.old] if change.present_before else "不在评估范围内",
            MARK[change.new] if change.present_after else "不在评估范围内",
        )
    for change in diff.items:
        table.add_row(f"评估项目 {change.key}", MARK[change.old], MARK[change.new])
    for cv in diff.cvs:
        if not cv.verdict_changed:
            continue
        table.add_row(
            f"差异系数 {LEVEL_ZH.get(cv.level, cv.level)} {cv.item}（≤ {fmt_number(cv.limit, 2)}）",
            f"{fmt_number(cv.old, 3)} {MARK[cv.old_passes]}",
            f"{fmt_number(cv.new, 3)} {MARK[cv.new_passes]}",
        )
    console.print(table)


@app.command("standards")
def standards_command(
    standard_id: Annotated[
        str | None, typer.Argument(help="要查看的标准标识；省略则列出全部")
    ] = None,
) -> None:
    """列出可用的评估标准，或查看一个标准的全部指标、阈值、来源和政策。"""
    try:
        if standard_id is None:
            table = Table(title="可用的评估标准", title_justify="left")
            for header in ("标识", "名称", "版本", "继承自"):
                table.add_column(header)
            for s in available_standards():
                table.add_row(s.id, s.name, s.version, s.extends or "—")
            console.print(table)
            return
        standard = load_standard(standard_id)
    except StandardError as exc:
        raise _fail(str(exc)) from None
    console.rule(f"[bold]{standard.name}[/]（{standard.id}，版本 {standard.version}）")
    console.print(standard.document)
    table = Table(title="评估指标", title_justify="left", show_lines=True)
    for header in ("编号", "方面", "指标", "要求", "依据"):
        table.add_column(header, overflow="fold")
    for item in standard.items.values():
        if item.ratio is not None:
            requirement = "；".join(
                f"{LEVEL_ZH[k]} ≥ {v:g}{item.unit}" for k, v in item.threshold.items()
            )
            limits = "、".join(f"{LEVEL_ZH[k]} ≤ {v:g}" for k, v in item.cv_limit.items())
            requirement += f"；差异系数 {limits}"
        else:
            requirement = requirement_text(item)
        table.add_row(item.id, standard.parts[item.part], item.name, requirement, item.source)
    console.print(table)
    rule = standard.segment_rule
    console.print(f"[bold]{rule.name}[/]：{rule.description}（{rule.source}）")
    table = Table(title="政策（可用 --policy 名称=取值 覆盖）", title_justify="left")
    table.add_column("名称", no_wrap=True)
    for header in ("含义", "默认值", "说明"):
        table.add_column(header, overflow="fold")
    for key, p in standard.policies.items():
        table.add_row(key, p.name, p.describe_value(), p.description)
    console.print(table)


survey_app = typer.Typer(help="社会认可度调查：抽样方案。", no_args_is_help=True)
app.add_typer(survey_app, name="survey")


@survey_app.command("plan")
def survey_plan_command(
    data: Annotated[Path, typer.Argument(help="学校数据（CSV 文件夹或 .xlsx 工作簿）")],
    population: Annotated[int, typer.Option("--population", help="全县常住人口（人）")],
    county: Annotated[str | None, typer.Option(help="县区名称（数据含多个县时必填）")] = None,
    area_population: Annotated[
        list[str] | None,
        typer.Option("--area-population", help="城乡常住人口，如 城区=150000（可多次使用）"),
    ] = None,
    rules: Annotated[str, typer.Option(help="调查规则标识或规则文件路径")] = "national",
    out: Annotated[Path | None, typer.Option("--out", help="把配额表写入该 .xlsx 文件")] = None,
) -> None:
    """社会认可度调查抽样方案：样本总量，各类调查对象、各校、城乡和年级的配额。"""
    import xlsxwriter

    from junheng.core.schema import AREA_TYPES
    from junheng.files import atomic_file
    from junheng.reports.tables import _Formats, _write_table
    from junheng.survey.loader import load_rules
    from junheng.survey.rules import SurveyFileError
    from junheng.survey.sampling import SamplingError, sampling_frame, sampling_plan
    from junheng.survey.tables import plan_tables

    areas: dict[str, int] = {}
    names = {zh: key for key, zh in AREA_TYPES} | {key: key for key, _ in AREA_TYPES}
    for text in area_population or []:
        key, _, value = text.partition("=")
        if key.strip() not in names or not value.strip().isdigit():
            raise _fail(f"城乡人口写法应为 城区=150000（城区、镇区、乡村），实际为“{text}”")
        areas[names[key.strip()]] = int(value)
    dataset = _dataset(data)
    counties = dataset.schools["county"].unique(maintain_order=True).to_list()
    if county is None and len(counties) != 1:
        raise _fail(f"数据含 {len(counties)} 个县区，请用 --county 指定：{'、'.join(counties)}")
    county = county or counties[0]
    if county not in counties:
        raise _fail(f"数据中没有县区“{county}”；有：{'、'.join(counties)}")
    try:
        survey_rules = load_rules(rules)
        frame = sampling_frame(dataset, county, survey_rules)
        plan = sampling_plan(population, frame, survey_rules, area_population=areas or None)
    except (SurveyFileError, SamplingError) as exc:
        raise _fail(str(exc)) from None
    tables = plan_tables(plan)
    for t in tables:
        console.print(f"[bold]{county}{t.title}[/]")
        table = Table()
        for column in t.columns:
            table.add_column(column.header.replace("\n", ""), overflow="fold")
        for row in t.rows:
            if isinstance(row, list):
                table.add_row(*(Text(str(cell.value)) for cell in row))
        console.print(table)
        for row in t.rows:
            if not isinstance(row, list):
                console.print(Text(row.text))
    if out is not None:
        with atomic_file(out) as tmp_name:
            workbook = xlsxwriter.Workbook(str(tmp_name))
            formats = _Formats(workbook)
            for t in tables:
                _write_table(workbook, formats, t, f"{county}{t.title}", survey_rules.name)
            workbook.close()
        console.print(f"配额表已写入 {out}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
