"""The words of an inspection: kinds of visit, statuses, answers of the checklist and of a
回头看 re-check. Stored values are the keys; people read the labels."""

from __future__ import annotations

ROUTINE, SPECIAL, REVISIT = "routine", "special", "revisit"
KINDS: dict[str, str] = {ROUTINE: "常规督导", SPECIAL: "专项督导", REVISIT: "回头看"}

PLANNED, DONE = "planned", "done"
STATUSES: dict[str, str] = {PLANNED: "计划中", DONE: "已完成"}

MET, NOT_MET, UNCHECKED = "met", "not_met", "unchecked"
ANSWERS: dict[str, str] = {MET: "符合", NOT_MET: "不符合", UNCHECKED: "未检查"}

HELD, REBOUND = "held", "rebound"
RECHECKS: dict[str, str] = {HELD: "巩固", REBOUND: "反弹"}
