"""The on-site checklist of a visit (`checklist.yaml`): the items of the standard a 责任督学 can
check at the school, each naming its indicator and the clause of the standard file it answers to.

Loading is strict like the standards: unknown keys, duplicate keys, an indicator the standard does
not have or a clause that differs from the indicator's `source` are refused with the file and the
entry named, so the checklist cannot drift from the standard it cites. Pure: reads files only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from junheng.core.standard import Standard, StandardError
from junheng.standards import load_standard, read_yaml

CHECKLIST_FILE = Path(__file__).with_name("checklist.yaml")

_TOP_KEYS = {"standard", "items"}
_ITEM_KEYS = {"key", "item", "clause", "check"}


class ChecklistError(ValueError):
    """A malformed checklist file; the message names the file and the entry (Chinese)."""


@dataclass(frozen=True)
class CheckItem:
    key: str
    """Stable; stored with each visit's answers, never shown."""
    item: str
    """The indicator code of the standard (R4, G5 …)."""
    name: str
    """The indicator's name in the standard."""
    clause: str
    check: str
    """What to look at on site."""

    @property
    def label(self) -> str:
        return f"{self.item} {self.check}"


@dataclass(frozen=True)
class Checklist:
    standard: str
    items: tuple[CheckItem, ...]

    def by_key(self) -> dict[str, CheckItem]:
        return {i.key: i for i in self.items}


def _fail(path: Path, where: str, problem: str) -> ChecklistError:
    return ChecklistError(f"现场核查清单 {path.name}：{where}：{problem}")


def _text(entry: dict[str, Any], name: str, path: Path, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"缺少“{name}”或不是文字")
    return value.strip()


def parse_checklist(data: Any, path: Path, standard: Standard | None = None) -> Checklist:
    """A checklist from the file's mapping, checked against its standard."""
    if not isinstance(data, dict):
        raise _fail(path, "顶层", "文件内容应为键值映射")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(path, "顶层", f"未知的键：{'、'.join(sorted(unknown))}")
    standard_id = data.get("standard")
    if not isinstance(standard_id, str):
        raise _fail(path, "standard", "应写明所依据的标准编号")
    if standard is None:
        try:
            standard = load_standard(standard_id)
        except StandardError as exc:
            raise _fail(path, "standard", str(exc)) from None
    entries = data.get("items")
    if not isinstance(entries, list) or not entries:
        raise _fail(path, "items", "应为核查项的列表")
    items: list[CheckItem] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"第 {number} 项"
        if not isinstance(entry, dict):
            raise _fail(path, where, "应为键值映射")
        unknown = set(entry) - _ITEM_KEYS
        if unknown:
            raise _fail(path, where, f"未知的键：{'、'.join(sorted(unknown))}")
        key = _text(entry, "key", path, where)
        where = f"第 {number} 项（{key}）"
        if key in seen:
            raise _fail(path, where, "key 重复")
        seen.add(key)
        code = _text(entry, "item", path, where)
        indicator = standard.items.get(code)
        if indicator is None:
            raise _fail(path, where, f"标准“{standard.name}”中没有指标 {code}")
        clause = _text(entry, "clause", path, where)
        if clause != indicator.source:
            raise _fail(
                path, where, f"条款“{clause}”与标准中 {code} 的出处“{indicator.source}”不一致"
            )
        items.append(
            CheckItem(
                key=key,
                item=code,
                name=indicator.name,
                clause=clause,
                check=_text(entry, "check", path, where),
            )
        )
    return Checklist(standard=standard_id, items=tuple(items))


def load_checklist_file(path: Path) -> Checklist:
    try:
        data = read_yaml(path)
    except StandardError as exc:
        raise _fail(path, exc.where, exc.problem) from None
    return parse_checklist(data, path)


@lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int) -> Checklist:
    return load_checklist_file(path)


def load_checklist(path: Path = CHECKLIST_FILE) -> Checklist:
    """The checklist, read again when the file changes."""
    return _cached(path, path.stat().st_mtime_ns)
