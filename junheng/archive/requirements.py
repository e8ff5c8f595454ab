"""Evidence requirements per item of the standard (创建档案), as data.

`requirements/<standard id>.yaml` lists, for every item of a standard, the files an inspection
archive must hold: what each is, what it must show, the clause it answers to (the item's own
`source` in the standard file unless the requirement names another), and whether the system
supplies it itself (评估附表, 一校一册, 社会认可度调查结果) or an issued document of the policy
checklist is the evidence. A provincial standard without a file of its own uses its base's file,
with its own item names and clauses.

Loading is strict like the standards and the policy checklist: unknown keys, unknown item ids,
unknown suppliers or checklist documents and duplicate keys are refused with the file and the
entry named, so a misspelt id cannot silently drop a requirement. Pure: reads files, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from junheng.core.standard import Standard
from junheng.rectification.policies import CHECKLIST_FILE, load_checklist
from junheng.standards import load_standard, read_yaml

REQUIREMENTS_DIR = Path(__file__).with_name("requirements")

BALANCE_ITEM = "CV"
"""The id the requirement files give the 校际差异系数 of part R (the standard's `rules.balance`,
which is not an item of its own)."""
BALANCE_PART = "R"

SUPPLIERS: dict[str, str] = {
    "tables": "评估附表",
    "school_books": "一校一册",
    "survey": "社会认可度调查结果",
}
"""Documents the system makes itself → how people call them."""

_TOP_KEYS = {"standard", "items"}
_ITEM_KEYS = {"short", "requirements"}
_REQUIREMENT_KEYS = {"key", "title", "shows", "source", "supplied", "policy"}


class RequirementsError(ValueError):
    """A malformed requirements file; the message names the file and the entry."""


@dataclass(frozen=True)
class Requirement:
    key: str
    """Stable within the item; stored with uploaded files, never shown."""
    title: str
    shows: str
    source: str
    supplied: str = ""
    """A key of `SUPPLIERS` when the system makes the document itself."""
    policy: str = ""
    """The id of a policy checklist document whose issued copy is the evidence."""
    county: bool = False
    """Added by the county (not in the requirements file)."""

    @property
    def supplied_text(self) -> str:
        """ "系统生成：评估附表" for a document the system makes, else empty."""
        return f"系统生成：{SUPPLIERS[self.supplied]}" if self.supplied else ""


@dataclass(frozen=True)
class ItemRequirements:
    id: str
    part: str
    part_name: str
    name: str
    short: str
    source: str
    requirements: tuple[Requirement, ...] = ()

    @property
    def code(self) -> str:
        """The item code people read (R1, G8); none for the 校际差异系数."""
        return "" if self.id == BALANCE_ITEM else self.id

    @property
    def label(self) -> str:
        """ "G1 县级人民政府制定义务教育学校布局规划"; the name alone for the 校际差异系数."""
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def folder(self) -> str:
        """The item's folder in the archive: "G1 县域学校布局规划"."""
        return f"{self.code} {self.short}" if self.code else self.short

    def requirement(self, key: str) -> Requirement | None:
        return next((r for r in self.requirements if r.key == key), None)


@dataclass(frozen=True)
class RequirementSet:
    standard_id: str
    file: str
    """The requirements file used (the base's for a variant without its own)."""
    parts: tuple[tuple[str, str], ...]
    """(part id, name) in the standard's order: (R, 资源配置) …"""
    items: Mapping[str, ItemRequirements] = field(default_factory=dict)

    def by_part(self) -> list[tuple[str, str, list[ItemRequirements]]]:
        """(part id, part name, its items in order) for every part of the standard."""
        return [
            (part, name, [i for i in self.items.values() if i.part == part])
            for part, name in self.parts
        ]

    def with_extra(self, extra: Mapping[str, Sequence[Requirement]]) -> RequirementSet:
        """A copy with a county's own requirements appended to their items (unknown items are
        left out: a county's addition to an item a later standard no longer has)."""
        items = {
            item_id: replace(item, requirements=(*item.requirements, *extra.get(item_id, ())))
            for item_id, item in self.items.items()
        }
        return replace(self, items=items)


def known_item_ids(standard: Standard) -> list[str]:
    """The ids a requirements file may name for `standard`, in archive order: the items, with
    the 校际差异系数 after the last item of part R."""
    ids = list(standard.items)
    in_r = [n for n, i in enumerate(ids) if standard.items[i].part == BALANCE_PART]
    ids.insert(in_r[-1] + 1 if in_r else len(ids), BALANCE_ITEM)
    return ids


def _text(value: Any, where: str, key: str, required: bool) -> str:
    if value is None:
        if required:
            raise RequirementsError(f"{where}：缺少 {key}")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise RequirementsError(f"{where}：{key} 应为文字")
    return value.strip()


def _requirement(
    entry: Any, where: str, default_source: str, policies: set[str] | None
) -> Requirement:
    if not isinstance(entry, dict):
        raise RequirementsError(f"{where}：应为含 key、title、shows 的项")
    unknown = set(entry) - _REQUIREMENT_KEYS
    if unknown:
        raise RequirementsError(f"{where}：未知的键 {', '.join(sorted(unknown))}")
    supplied = _text(entry.get("supplied"), where, "supplied", False)
    if supplied and supplied not in SUPPLIERS:
        raise RequirementsError(
            f"{where}：supplied 应为 {'、'.join(SUPPLIERS)} 之一，而不是“{supplied}”"
        )
    policy = _text(entry.get("policy"), where, "policy", False)
    if policy and policies is not None and policy not in policies:
        raise RequirementsError(f"{where}：政策文件清单中没有“{policy}”")
    if supplied and policy:
        raise RequirementsError(f"{where}：supplied 和 policy 只能有一个")
    return Requirement(
        key=_text(entry.get("key"), where, "key", True),
        title=_text(entry.get("title"), where, "title", True),
        shows=_text(entry.get("shows"), where, "shows", True),
        source=_text(entry.get("source"), where, "source", False) or default_source,
        supplied=supplied,
        policy=policy,
    )


def _item_meta(standard: Standard, item_id: str) -> tuple[str, str, str]:
    """(part, name, source) of an item id of `known_item_ids`."""
    if item_id == BALANCE_ITEM:
        rule = standard.balance_rule
        return BALANCE_PART, rule.get("name", "校际差异系数"), rule.get("source", "")
    item = standard.items[item_id]
    return item.part, item.name, item.source


def requirements_from_data(
    data: Any,
    origin: str,
    standard: Standard,
    policy_ids: Iterable[str] | None = None,
) -> RequirementSet:
    """Build the requirements of `standard` from a file's mapping; `origin` names the file in
    errors. Items of the standard the file does not name get no requirements (a county may add
    its own)."""
    if not isinstance(data, dict):
        raise RequirementsError(f"{origin}：文件内容应为键值映射")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise RequirementsError(f"{origin}：未知的键 {', '.join(sorted(unknown))}")
    if not isinstance(data.get("standard"), str):
        raise RequirementsError(f"{origin}：缺少 standard（适用的标准）")
    entries = data.get("items") or {}
    if not isinstance(entries, dict):
        raise RequirementsError(f"{origin}：items 应为“指标 → 材料要求”的映射")
    order = known_item_ids(standard)
    strange = [str(i) for i in entries if i not in order]
    if strange:
        raise RequirementsError(f"{origin}：标准中没有指标 {', '.join(strange)}")
    policies = set(policy_ids) if policy_ids is not None else None
    items: dict[str, ItemRequirements] = {}
    for item_id in order:
        part, name, source = _item_meta(standard, item_id)
        entry = entries.get(item_id)
        if entry is None:
            items[item_id] = ItemRequirements(
                item_id, part, standard.parts.get(part, part), name, name, source
            )
            continue
        where = f"{origin} 指标 {item_id}"
        if not isinstance(entry, dict):
            raise RequirementsError(f"{where}：应为含 short 和 requirements 的项")
        unknown = set(entry) - _ITEM_KEYS
        if unknown:
            raise RequirementsError(f"{where}：未知的键 {', '.join(sorted(unknown))}")
        listed = entry.get("requirements") or []
        if not isinstance(listed, list):
            raise RequirementsError(f"{where}：requirements 应为列表")
        requirements: list[Requirement] = []
        for index, raw in enumerate(listed, 1):
            requirement = _requirement(raw, f"{where} 第 {index} 项材料", source, policies)
            if any(r.key == requirement.key for r in requirements):
                raise RequirementsError(f"{where} 第 {index} 项材料：key “{requirement.key}” 重复")
            requirements.append(requirement)
        short = _text(entry.get("short"), where, "short", False) or name
        if "/" in short or "\\" in short:
            raise RequirementsError(f"{where}：short 用作文件夹名称，不能含有 / 或 \\")
        items[item_id] = ItemRequirements(
            item_id,
            part,
            standard.parts.get(part, part),
            name,
            short,
            source,
            tuple(requirements),
        )
    return RequirementSet(
        standard_id=standard.id,
        file=origin,
        parts=tuple((p, n) for p, n in standard.parts.items()),
        items=items,
    )


def requirements_file(standard: Standard, folder: Path = REQUIREMENTS_DIR) -> Path:
    """The file for `standard`: its own, else its base's (and so on up the `extends` chain)."""
    seen: list[str] = []
    current: Standard | None = standard
    while current is not None and current.id not in seen:
        seen.append(current.id)
        path = folder / f"{current.id}.yaml"
        if path.is_file():
            return path
        current = load_standard(current.extends) if current.extends else None
    raise RequirementsError(f"没有适用于“{standard.name}”的档案材料要求文件")


_LOADED: dict[tuple[object, ...], RequirementSet] = {}


def load_requirements(standard: Standard, folder: Path = REQUIREMENTS_DIR) -> RequirementSet:
    """The evidence requirements of `standard`, checked against it and the policy checklist.

    Kept per file version (its modification time and the checklist's), so a page or an admin
    list of many files reads and checks the YAML once, and an edited file applies at once."""
    path = requirements_file(standard, folder)
    key = (
        str(path),
        path.stat().st_mtime_ns,
        CHECKLIST_FILE.stat().st_mtime_ns,
        standard.id,
        standard.version,
        standard.origin,
    )
    loaded = _LOADED.get(key)
    if loaded is None:
        data = read_yaml(path)
        if isinstance(data, dict) and data.get("standard") != path.stem:
            raise RequirementsError(
                f"{path.name}：standard 应为“{path.stem}”（与文件名一致），"
                f"而不是“{data.get('standard')}”"
            )
        policy_ids = [d.id for d in load_checklist().documents]
        loaded = requirements_from_data(data, path.name, standard, policy_ids)
        _LOADED[key] = loaded
    return loaded
