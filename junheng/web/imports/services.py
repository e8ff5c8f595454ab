"""The web import: uploads are checked by the CLI's importer (`validate_sources`) against the
county's data in the database, and loaded with `load_dataset` only when nothing blocks them.

The database takes the place of the CLI's `--into` folder: the county's current data of the year
are the base (a partial upload of some schools keeps the others), last year's data feed the
year-over-year warnings, and only the part that came from the files is loaded, in one
transaction. Every run is recorded as an `ImportRun`; its files live in a private folder under
the import directory and are removed after the import or once they expire.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from junheng.core.dataset import Dataset
from junheng.intake.errors import IntakeError
from junheng.intake.importer import Scope, imported_part, is_school_form, validate_sources
from junheng.intake.report import write_import_report
from junheng.intake.school_form import FormUnreadable, read_school_form
from junheng.web import clock
from junheng.web.accounts.scope import ImportRights
from junheng.web.imports.models import ImportRun, RunStatus
from junheng.web.imports.uploads import Upload, UploadRefused, save_uploads
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import dataset_for
from junheng.web.services import DataLockedError, load_dataset

KEEP = timedelta(hours=24)
"""How long uploaded files and problem reports are kept (a day's work on the corrections)."""
REPORT_FOLDER = "report"
UPLOAD_FOLDER = "uploads"

__all__ = [
    "KEEP",
    "Target",
    "UploadRefused",
    "check_run",
    "confirm_run",
    "import_root",
    "process_marker",
    "purge_expired",
    "report_file",
    "settle_interrupted",
    "start_import",
    "worker_gone",
]


def import_root() -> Path:
    """The private folder holding every run's files (`JUNHENG_IMPORT_DIR`, else var/imports)."""
    root = Path(getattr(settings, "JUNHENG_IMPORT_DIR", None) or Path(settings.VAR_DIR) / "imports")
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


@dataclass(frozen=True)
class Target:
    """Where an import goes: one county (registered, or new by name) and one school year."""

    year: str
    province: str
    city: str
    county_name: str
    county: County | None = None
    school: School | None = None

    @classmethod
    def of_county(cls, county: County, year: str) -> Target:
        city = county.city
        return cls(year, city.province.name, city.name, county.name, county)

    @classmethod
    def of_school(cls, school: School, year: str) -> Target:
        return dataclasses.replace(cls.of_county(school.county, year), school=school)


def _folder(run: ImportRun) -> Path | None:
    if not run.folder:
        return None
    return import_root() / run.folder


def start_import(
    user: AbstractBaseUser, target: Target, rights: ImportRights, files: Iterable[Upload]
) -> ImportRun:
    """Save the uploads, record the run and check it (loading it when nothing needs a look).

    Raises UploadRefused, keeping nothing, when the files cannot be imported at all.
    """
    purge_expired()
    root = Path(os.path.realpath(import_root() / f"{clock.today():%Y%m%d}-{secrets.token_hex(12)}"))
    root.mkdir(mode=0o700)
    try:
        saved = save_uploads(files, root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    run = ImportRun.objects.create(
        worker=process_marker(),
        user=user,
        county=target.county,
        school=target.school,
        province=target.province,
        city=target.city,
        county_name=target.county_name,
        year=target.year,
        files=saved.files,
        sources=saved.sources,
        folder=root.name,
    )
    return check_run(run, rights)


def _process_start(pid: int | str) -> str:
    """When the process started (clock ticks since boot), telling a reused pid apart; "" when
    unknown (not Linux, or no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return ""
    # The command name in parentheses may hold spaces; the fields after it are fixed.
    return stat.rsplit(")", 1)[1].split()[19]


def process_marker() -> str:
    """This server process, as recorded on a run it checks: host, pid and start time."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start('self')}"


def worker_gone(marker: str) -> bool:
    """Whether the process named by `marker` has certainly ended (it ran on this host and no
    process with its pid and start time exists any more)."""
    host, _, rest = marker.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit() or not started:
        return False
    return _process_start(pid) != started


def stalled_after() -> timedelta:
    """How long a check may take before its run counts as interrupted: the server's request
    timeout (JUNHENG_TIMEOUT, as in gunicorn.conf.py) and a minute for the worker to be ended."""
    return timedelta(seconds=int(os.environ.get("JUNHENG_TIMEOUT", "120")) + 60)


INTERRUPTED = (
    "校验没有完成：处理这次上传的服务进程已经停止（请求超时或服务重启），未导入任何数据。"
    "请重新上传；如果再次出现，请把上传时间告诉系统管理员，以便查看服务日志。"
)


def settle_interrupted(runs: Iterable[ImportRun], now: datetime | None = None) -> None:
    """Mark the runs still 正在校验 whose process is gone, or that have outlived any request,
    as failed (with the reason in Chinese), so no run shows 正在校验 forever."""
    cutoff = (now or timezone.now()) - stalled_after()
    for run in runs:
        if run.status != RunStatus.CHECKING:
            continue
        if run.created_at < cutoff or (run.worker and worker_gone(run.worker)):
            # Only if no process finished it meanwhile: the row is updated conditionally.
            done = ImportRun.objects.filter(pk=run.pk, status=RunStatus.CHECKING).update(
                status=RunStatus.FAILED, message=INTERRUPTED, finished_at=timezone.now()
            )
            if done:
                run.status, run.message = RunStatus.FAILED, INTERRUPTED
                folder = _folder(run)
                if folder is not None:
                    shutil.rmtree(folder / UPLOAD_FOLDER, ignore_errors=True)


def _registered_county(run: ImportRun) -> County | None:
    if run.county is not None:
        return run.county
    return County.objects.filter(
        city__province__name=run.province, city__name=run.city, name=run.county_name
    ).first()


def _has_data(dataset: Dataset) -> bool:
    return any(frame.height for frame in (dataset.schools, dataset.county_facts, dataset.survey))


def _base_and_previous(county: County | None, year: str) -> tuple[Dataset | None, Dataset | None]:
    """The county's data of `year` (the base of the merge) and of the latest earlier year."""
    if county is None:
        return None, None
    existing = None
    current = SchoolYear.objects.filter(label=year).first()
    if current is not None:
        dataset = dataset_for(county, current)
        existing = dataset if _has_data(dataset) else None
    earlier = (
        SchoolYear.objects.filter(label__lt=year, schoolyeardata__school__county=county)
        .order_by("-label")
        .first()
    )
    previous = dataset_for(county, earlier) if earlier is not None else None
    return existing, previous


def _scope(rights: ImportRights, county_name: str, county: County | None) -> Scope:
    school = rights.school
    refused = None
    if not rights.take_over_schools:

        def refused(ids: frozenset[str]) -> frozenset[str]:
            elsewhere = School.objects.filter(school_id__in=sorted(ids))
            if county is not None:
                elsewhere = elsewhere.exclude(county=county)
            return frozenset(elsewhere.values_list("school_id", flat=True))

    return Scope(
        counties=frozenset({county_name}),
        schools=frozenset({school.school_id}) if school is not None else None,
        refused_schools=refused,
        county_expected=f"「{county_name}」：本次导入的是{county_name}的数据，"
        "其他县区的行请删除，由该县区自行导入",
        school_expected=(
            f"本校的学校标识码「{school.school_id}」：这里只能导入{school.name}的一校一册"
            if school is not None
            else ""
        ),
        refused_expected="本县学校的标识码：该学校标识码已登记为其他县区的学校，不能导入本县"
        "（学校确已划转的，请联系系统管理员导入）",
    )


def _not_this_school(school: School, sources: list[Path]) -> str | None:
    """Why a school's import cannot take these files (only the school's own 一校一册), or None."""
    for path in sources:
        name = path.name
        if path.is_dir() or not is_school_form(path):
            return (
                f"这里只能导入{school.name}的一校一册（学校填报工作簿）；"
                f"“{name}”不是一校一册，未导入任何数据。"
            )
        try:
            form = read_school_form(path)
        except FormUnreadable:
            continue  # the importer describes the damage in the problem list
        rows = form.rows.get("schools") or [{}]
        found = (rows[0].get("school_id") or "").strip()
        if found and found != school.school_id:
            other = (rows[0].get("name") or "").strip()
            return (
                f"“{name}”是{other or '另一所学校'}（学校标识码 {found}）的一校一册；"
                f"这里只能导入{school.name}（{school.school_id}）的一校一册，未导入任何数据。"
            )
    return None


def _finish(run: ImportRun, status: str, message: str = "") -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    folder = _folder(run)
    if folder is not None and status != RunStatus.PENDING:
        # The uploads are not needed once the run has an outcome; the reports stay until
        # they expire, for the clerk correcting the workbooks.
        shutil.rmtree(folder / UPLOAD_FOLDER, ignore_errors=True)
        if not run.reports:
            shutil.rmtree(folder, ignore_errors=True)
            run.folder = ""
    run.save()
    return run


def _problems(errors: list[IntakeError]) -> list[dict[str, object]]:
    return [dataclasses.asdict(e) for e in errors]


def problems_of(run: ImportRun) -> list[IntakeError]:
    """The run's problems as intake errors again (for their titles, messages and fixes)."""
    return [IntakeError(**p) for p in run.problems]


def check_run(run: ImportRun, rights: ImportRights, *, confirmed: bool = False) -> ImportRun:
    """Validate the run's saved files against the current data; load them when nothing blocks
    them and either no warning needs a look or the user has `confirmed` the same warnings."""
    folder = _folder(run)
    if folder is None or not (folder / UPLOAD_FOLDER).exists():
        return _finish(run, RunStatus.EXPIRED, "上传的文件已过期删除，请重新上传。")
    sources = [folder / s for s in run.sources]
    if not rights.county_wide and rights.school is not None:
        refusal = _not_this_school(rights.school, sources)
        if refusal is not None:
            return _finish(run, RunStatus.REFUSED, refusal)

    county = _registered_county(run)
    existing, previous = _base_and_previous(county, run.year)
    result = validate_sources(
        sources,
        existing=existing,
        previous=previous,
        scope=_scope(rights, run.county_name, county),
    )
    seen_before = run.problems
    run.problems = _problems(result.errors)
    run.error_count = len(result.blocking)
    run.warning_count = len(result.warnings)
    shutil.rmtree(folder / REPORT_FOLDER, ignore_errors=True)
    run.reports = []
    if result.errors:
        written = write_import_report(result.errors, result.sources, folder / REPORT_FOLDER)
        run.reports = [p.name for p in written]
    if not result.ok:
        return _finish(run, RunStatus.BLOCKED)
    if result.warnings and (not confirmed or run.problems != seen_before):
        run.status = RunStatus.PENDING
        run.message = "数据在您确认之前有变化，请重新核对以下提示。" if confirmed else ""
        run.save()
        return run

    part = imported_part(result)
    assert part is not None
    try:
        with transaction.atomic():
            counts = load_dataset(
                part, run.year, province=run.province, city=run.city, user=run.user
            )
            run.county = _registered_county(run)
            run.counts = dataclasses.asdict(counts)
            return _finish(run, RunStatus.LOADED)
    except DataLockedError as exc:
        return _finish(run, RunStatus.REFUSED, str(exc))
    except ValueError as exc:
        return _finish(run, RunStatus.REFUSED, f"未写入任何数据：{exc}")


def confirm_run(run: ImportRun, rights: ImportRights) -> ImportRun:
    """The user has read the warnings: check the saved files again and load them."""
    if run.status != RunStatus.PENDING:
        return run
    return check_run(run, rights, confirmed=True)


def report_file(run: ImportRun, index: int) -> Path | None:
    """The run's n-th report file (problem list, annotated workbooks), if still kept."""
    folder = _folder(run)
    if folder is None or not 0 <= index < len(run.reports):
        return None
    path = folder / REPORT_FOLDER / run.reports[index]
    return path if path.is_file() else None


def purge_expired(now: datetime | None = None) -> int:
    """Remove the files of runs older than KEEP (a waiting run expires); return how many."""
    cutoff = (now or timezone.now()) - KEEP
    purged = 0
    for run in ImportRun.objects.filter(created_at__lt=cutoff).exclude(folder=""):
        folder = _folder(run)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        run.folder = ""
        if run.status in (RunStatus.PENDING, RunStatus.CHECKING):
            run.status = RunStatus.EXPIRED
            run.message = "上传的文件已过期删除，未导入；请重新上传。"
        run.save(update_fields=["folder", "status", "message"])
        purged += 1
    # Folders no run refers to are left by uploads interrupted before their run was saved.
    known = set(ImportRun.objects.exclude(folder="").values_list("folder", flat=True))
    for entry in import_root().iterdir():
        if entry.name in known or not entry.is_dir():
            continue
        modified = datetime.fromtimestamp(entry.stat().st_mtime, tz=UTC)
        if modified < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
    return purged
