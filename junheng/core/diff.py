"""What changed between two evaluations of a county: the county entries of the evaluation JSON
(`output.evaluation_to_dict`, one element of `counties`) compared verdict by verdict.

A verdict is three-valued (True, False, None = cannot be decided), and every change of it is
reported, so 未达标 → 无法判定 is as visible as 未达标 → 达标. CVs are also reported when only
their value moved, since a CV creeping towards its limit is what a county watches between runs.
Segments absent from one side (a school added or left out) are reported with None there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PART_ORDER: tuple[str, ...] = ("R", "G", "Q", "S", "veto")


@dataclass(frozen=True)
class VerdictChange:
    key: str
    """Part id (R, G, Q, S, veto) or item id (G3, Q4 …)."""
    old: bool | None
    new: bool | None


@dataclass(frozen=True)
class SegmentChange:
    school_id: str
    name: str
    level: str
    old: bool | None
    new: bool | None
    present_before: bool
    present_after: bool


@dataclass(frozen=True)
class CvChange:
    level: str
    item: str
    old: float | None
    new: float | None
    old_passes: bool | None
    new_passes: bool | None
    limit: float | None

    @property
    def verdict_changed(self) -> bool:
        return self.old_passes != self.new_passes


@dataclass(frozen=True)
class EntryDiff:
    verdict: VerdictChange | None
    parts: list[VerdictChange] = field(default_factory=list)
    segments: list[SegmentChange] = field(default_factory=list)
    cvs: list[CvChange] = field(default_factory=list)
    items: list[VerdictChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.verdict or self.parts or self.segments or self.cvs or self.items)


def _verdict(entry: Mapping[str, Any]) -> bool | None:
    return (entry.get("verdict") or {}).get("passes")


def _segments(entry: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    # Out-of-scope segments have no verdict of their own; they are not part of the comparison.
    return {
        (s["school_id"], s["level"]): s
        for s in entry.get("segments") or []
        if s.get("in_scope", True)
    }


def _item_order(key: str) -> tuple[str, int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (key[:1], int(digits) if digits else 0, key)


def compare_entries(old: Mapping[str, Any], new: Mapping[str, Any]) -> EntryDiff:
    """The changes from the county entry `old` to the county entry `new`."""
    verdict = None
    if _verdict(old) != _verdict(new):
        verdict = VerdictChange("verdict", _verdict(old), _verdict(new))

    old_parts, new_parts = old.get("parts") or {}, new.get("parts") or {}
    part_keys = [p for p in PART_ORDER if p in old_parts or p in new_parts]
    part_keys += sorted((set(old_parts) | set(new_parts)) - set(PART_ORDER))
    parts = [
        VerdictChange(p, old_parts.get(p), new_parts.get(p))
        for p in part_keys
        if old_parts.get(p) != new_parts.get(p)
    ]

    before, after = _segments(old), _segments(new)
    segments = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        old_passes = was.get("passes") if was else None
        new_passes = now.get("passes") if now else None
        if was is not None and now is not None and old_passes == new_passes:
            continue
        record = now or was or {}
        segments.append(
            SegmentChange(
                key[0],
                record.get("name", key[0]),
                key[1],
                old_passes,
                new_passes,
                was is not None,
                now is not None,
            )
        )

    cvs = []
    old_balance, new_balance = old.get("balance") or {}, new.get("balance") or {}
    for level in sorted(old_balance.keys() | new_balance.keys(), key=_level_order):
        was_level, now_level = old_balance.get(level) or {}, new_balance.get(level) or {}
        for item in sorted(was_level.keys() | now_level.keys(), key=_item_order):
            was, now = was_level.get(item) or {}, now_level.get(item) or {}
            if was.get("cv") == now.get("cv") and was.get("passes") == now.get("passes"):
                continue
            cvs.append(
                CvChange(
                    level,
                    item,
                    was.get("cv"),
                    now.get("cv"),
                    was.get("passes"),
                    now.get("passes"),
                    now.get("limit", was.get("limit")),
                )
            )

    old_items, new_items = old.get("items") or {}, new.get("items") or {}
    items = [
        VerdictChange(
            key, (old_items.get(key) or {}).get("passes"), (new_items.get(key) or {}).get("passes")
        )
        for key in sorted(old_items.keys() | new_items.keys(), key=_item_order)
        if (old_items.get(key) or {}).get("passes") != (new_items.get(key) or {}).get("passes")
    ]
    return EntryDiff(verdict, parts, segments, cvs, items)


def _level_order(level: str) -> tuple[int, str]:
    return ({"primary": 0, "junior": 1}.get(level, 2), level)
