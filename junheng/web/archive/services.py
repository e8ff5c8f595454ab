"""创建档案 in the web: the requirements that apply to a county and year, what of them the
archive holds (completeness), and the writes (uploads through the evidence store, deletions,
a county's own requirements).

A requirement is provided when a file was uploaded for it, when the system makes the document
itself and can (评估附表 and 一校一册 from the latest evaluation, the survey's results), or when
the policy checklist document it names is 已印发 with its files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from junheng.archive.catalogue import part_folder
from junheng.archive.requirements import (
    SUPPLIERS,
    ItemRequirements,
    Requirement,
    RequirementSet,
    load_requirements,
)
from junheng.core.standard import Standard
from junheng.rectification.policies import load_checklist
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.web.archive.models import (
    COUNTY_KEY_PREFIX,
    OTHER_KEY,
    ArchiveFile,
    CountyRequirement,
)
from junheng.web.rectification import evidence
from junheng.web.rectification.models import Evidence, PolicyDocument
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import latest_snapshot

OTHER_TITLE = "其他材料"


class ArchiveRefused(Exception):
    """A change that is not made; the message is for the user (Chinese)."""


def standard_for(county: County, year: SchoolYear) -> Standard:
    """The standard of the county's latest evaluation of the year (the national one before any)."""
    snapshot = latest_snapshot(county, year)
    if snapshot is not None:
        try:
            return load_standard(snapshot.standard_id)
        except Exception:  # a standard file removed since: the national requirements still apply
            pass
    return load_standard(DEFAULT_STANDARD)


def county_requirements(county: County) -> dict[str, list[Requirement]]:
    """The county's own requirements by item, as `Requirement`s."""
    extra: dict[str, list[Requirement]] = {}
    for row in CountyRequirement.objects.filter(county=county):
        extra.setdefault(row.item, []).append(
            Requirement(
                key=row.key,
                title=row.title,
                shows=row.shows,
                source=row.source or "县级规定",
                county=True,
            )
        )
    return extra


def requirement_set(county: County, year: SchoolYear) -> RequirementSet:
    """The standard's requirements with the county's own appended."""
    return load_requirements(standard_for(county, year)).with_extra(county_requirements(county))


@dataclass
class Supplied:
    """Which documents the system can supply for the county and year, and from where."""

    snapshot: Any = None
    survey: Any = None
    policies: dict[str, PolicyDocument] = field(default_factory=dict)
    done_status: str = ""
    policy_names: dict[str, str] = field(default_factory=dict)

    def state(self, requirement: Requirement) -> tuple[bool, str]:
        """(provided by the system, the sentence saying from where or what is missing)."""
        if requirement.supplied in ("tables", "school_books"):
            if self.snapshot is None:
                return False, "本学年还没有评估结果：评估后由系统生成"
            return True, f"由系统根据最新评估结果生成（{SUPPLIERS[requirement.supplied]}）"
        if requirement.supplied == "survey":
            if self.survey is None:
                return False, "本学年还没有社会认可度调查：调查后由系统导出结果"
            return True, f"由系统导出“{self.survey.title}”的调查结果"
        if requirement.policy:
            name = self.policy_names.get(requirement.policy, "政策文件")
            document = self.policies.get(requirement.policy)
            files = len(document.files.all()) if document is not None else 0
            if document is not None and document.status == self.done_status and files:
                return True, f"政策文件清单“{name}”：{document.status}，{files} 个文件"
            status = document.status if document is not None else "未印发"
            return False, f"政策文件清单“{name}”：{status}，{files} 个文件"
        return False, ""


def supplied(county: County, year: SchoolYear) -> Supplied:
    from junheng.web.surveys.models import Survey

    checklist = load_checklist()
    return Supplied(
        snapshot=latest_snapshot(county, year),
        survey=Survey.objects.filter(county=county, year=year).order_by("-created_at").first(),
        policies={
            d.item_id: d
            for d in PolicyDocument.objects.filter(county=county).prefetch_related("files")
        },
        done_status=checklist.done_status,
        policy_names={d.id: d.name for d in checklist.documents},
    )


@dataclass
class RequirementState:
    requirement: Requirement
    files: list[ArchiveFile]
    by_system: bool
    system_note: str

    @property
    def provided(self) -> bool:
        return bool(self.files) or self.by_system


@dataclass
class ItemState:
    item: ItemRequirements
    rows: list[RequirementState]
    others: list[ArchiveFile]
    """Files uploaded to the item without a requirement (or for one no longer listed)."""

    @property
    def required(self) -> int:
        return len(self.rows)

    @property
    def provided(self) -> int:
        return sum(1 for r in self.rows if r.provided)

    @property
    def missing(self) -> list[Requirement]:
        return [r.requirement for r in self.rows if not r.provided]

    @property
    def files(self) -> int:
        return sum(len(r.files) for r in self.rows) + len(self.others)

    @property
    def complete(self) -> bool:
        return self.provided == self.required


@dataclass
class PartState:
    part: str
    name: str
    items: list[ItemState]
    number: int = 1

    @property
    def title(self) -> str:
        """ "二、政府保障程度", as the part's folder in the archive."""
        return part_folder(self.number, self.name)

    @property
    def required(self) -> int:
        return sum(i.required for i in self.items)

    @property
    def provided(self) -> int:
        return sum(i.provided for i in self.items)

    @property
    def missing(self) -> int:
        return self.required - self.provided

    @property
    def percent(self) -> int:
        return int(100 * self.provided / self.required) if self.required else 100


def item_state(item: ItemRequirements, files: Iterable[ArchiveFile], system: Supplied) -> ItemState:
    by_key: dict[str, list[ArchiveFile]] = {}
    for f in files:
        by_key.setdefault(f.requirement, []).append(f)
    rows = []
    for requirement in item.requirements:
        by_system, note = system.state(requirement)
        rows.append(RequirementState(requirement, by_key.pop(requirement.key, []), by_system, note))
    others = [f for group in by_key.values() for f in group]
    return ItemState(item, rows, others)


def completeness(
    county: County, year: SchoolYear, reqs: RequirementSet | None = None
) -> tuple[list[PartState], list[ArchiveFile]]:
    """Each part with its items' required / provided / missing requirements; and the files of
    items the standard no longer has (kept, listed apart, archived under 其他材料)."""
    reqs = reqs or requirement_set(county, year)
    system = supplied(county, year)
    by_item: dict[str, list[ArchiveFile]] = {}
    for f in ArchiveFile.objects.filter(county=county, year=year).select_related("uploaded_by"):
        by_item.setdefault(f.item, []).append(f)
    parts = [
        PartState(part, name, [item_state(i, by_item.pop(i.id, []), system) for i in items], n)
        for n, (part, name, items) in enumerate(reqs.by_part(), 1)
    ]
    strays = [f for group in by_item.values() for f in group]
    return parts, strays


# ---- writes ---------------------------------------------------------------------------------


def upload(
    county: County,
    year: SchoolYear,
    item: ItemRequirements,
    requirement_key: str,
    files: Iterable[evidence.Upload],
    note: str,
    user: AbstractBaseUser,
) -> list[ArchiveFile]:
    """Store the files (the evidence checks: type by content, size and count limits; one refused
    file refuses all) and record them for the item's requirement, together or not at all."""
    files = list(files)
    if not files:
        raise ArchiveRefused("请选择要上传的文件")
    if requirement_key != OTHER_KEY and item.requirement(requirement_key) is None:
        raise ArchiveRefused("所选的材料要求已不存在，请刷新页面后重新选择")
    stored = evidence.store_all(files)
    try:
        with transaction.atomic():
            rows = [
                ArchiveFile.objects.create(
                    county=county,
                    year=year,
                    item=item.id,
                    requirement=requirement_key,
                    name=s.name,
                    kind=s.type.kind,
                    size=s.size,
                    sha256=s.sha256,
                    path=s.path,
                    note=note[:500],
                    uploaded_by=user,
                )
                for s in stored
            ]
    except BaseException:
        evidence.discard(stored)
        raise
    return rows


def delete_file(row: ArchiveFile) -> None:
    """Remove the upload; the stored content goes too unless another upload (here or in the
    ledger) has the same content."""
    path = row.path
    with transaction.atomic():
        row.delete()
        shared = (
            ArchiveFile.objects.filter(path=path).exists()
            or Evidence.objects.filter(path=path).exists()
        )
    if not shared:
        with contextlib.suppress(FileNotFoundError):
            evidence.open_stored(path).unlink(missing_ok=True)


def add_requirement(
    county: County,
    item: ItemRequirements,
    title: str,
    shows: str,
    source: str,
    user: AbstractBaseUser,
) -> CountyRequirement:
    title = title.strip()
    if not title:
        raise ArchiveRefused("请填写材料名称")
    if any(r.title == title for r in item.requirements):
        raise ArchiveRefused(f"{item.label} 已有材料要求“{title}”")
    return CountyRequirement.objects.create(
        county=county,
        item=item.id,
        title=title[:200],
        shows=shows.strip()[:500],
        source=source.strip()[:200],
        created_by=user,
    )


def delete_requirement(county: County, key: str) -> None:
    """Remove a county's own requirement; its files stay with the item as 其他材料."""
    if not key.startswith(COUNTY_KEY_PREFIX) or not key[len(COUNTY_KEY_PREFIX) :].isdigit():
        raise ArchiveRefused("只能删除本县增加的材料要求")
    pk = int(key[len(COUNTY_KEY_PREFIX) :])
    deleted, _ = CountyRequirement.objects.filter(county=county, pk=pk).delete()
    if not deleted:
        raise ArchiveRefused("该材料要求已不存在")
