"""The policy checklist (政策文件清单): documents a county must issue, as data
(`policy_checklist.yaml`), each naming the judged items of the standard it is evidence for.

Loading is strict (unknown keys and unknown item ids refused with the file and entry named), so
a misspelt id cannot silently drop a document from the evidence of G1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junheng.standards import read_yaml

CHECKLIST_FILE = Path(__file__).with_name("policy_checklist.yaml")
_DOCUMENT_KEYS = {"id", "name", "feeds", "note"}


class ChecklistError(ValueError):
    """A malformed checklist file; the message names the file and the entry."""


@dataclass(frozen=True)
class PolicyItem:
    id: str
    name: str
    feeds: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Checklist:
    statuses: tuple[str, ...]
    documents: tuple[PolicyItem, ...]

    @property
    def done_status(self) -> str:
        """The last status (已印发) is the one that counts as evidence."""
        return self.statuses[-1]

    def by_item(self) -> dict[str, list[PolicyItem]]:
        """Documents per judged item (G1 → [布局规划])."""
        out: dict[str, list[PolicyItem]] = {}
        for document in self.documents:
            for item in document.feeds:
                out.setdefault(item, []).append(document)
        return out


def checklist_from_data(
    data: Any, origin: str, known_items: Iterable[str] | None = None
) -> Checklist:
    if not isinstance(data, dict) or set(data) != {"statuses", "documents"}:
        raise ChecklistError(f"{origin}：应只有 statuses 和 documents 两项")
    statuses = data["statuses"]
    if (
        not isinstance(statuses, list)
        or not statuses
        or not all(isinstance(s, str) for s in statuses)
    ):
        raise ChecklistError(f"{origin}：statuses 应为状态名称的列表")
    known = set(known_items) if known_items is not None else None
    documents: list[PolicyItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["documents"] or [], 1):
        where = f"{origin} 第 {index} 个文件"
        if not isinstance(entry, dict):
            raise ChecklistError(f"{where}：应为含 id、name、feeds 的项")
        unknown = set(entry) - _DOCUMENT_KEYS
        if unknown:
            raise ChecklistError(f"{where}：未知的键 {', '.join(sorted(unknown))}")
        for key in ("id", "name", "feeds"):
            if key not in entry:
                raise ChecklistError(f"{where}：缺少 {key}")
        if entry["id"] in seen:
            raise ChecklistError(f"{where}：id “{entry['id']}” 重复")
        seen.add(entry["id"])
        feeds = tuple(str(f) for f in entry["feeds"])
        if known is not None:
            missing = [f for f in feeds if f not in known]
            if missing:
                raise ChecklistError(f"{where}：标准中没有指标 {', '.join(missing)}")
        documents.append(
            PolicyItem(str(entry["id"]), str(entry["name"]), feeds, str(entry.get("note", "")))
        )
    return Checklist(tuple(statuses), tuple(documents))


def load_checklist(
    path: Path = CHECKLIST_FILE, known_items: Iterable[str] | None = None
) -> Checklist:
    return checklist_from_data(read_yaml(path), path.name, known_items)
