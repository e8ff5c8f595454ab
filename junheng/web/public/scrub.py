"""What the public page may say: free text with people's names and phone numbers removed, and
the frozen copy of a bulletin made from the ledger's `Bulletin` without anyone's name.

Pure (no Django, no clock): the caller gives the names and numbers known to the county (its
organisation table's people, the ledger's 责任人 and 包保领导, its users' names) and the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from junheng.rectification.bulletin import Bulletin

MASK = "××"
"""What stands where a name or a phone number was (as names are masked in Chinese notices)."""

PHONE = re.compile(
    r"(?<![0-9])(?:"
    r"(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}"  # mobile, 138 0013 8000 or 13800138000
    r"|0[0-9]{2,3}[-－ ]?[0-9]{7,8}(?:[-－][0-9]{1,5})?"  # landline with area code, extension
    r"|\(0[0-9]{2,3}\)[0-9]{7,8}"  # (0731)1234567
    r")(?![0-9])"
)
"""Phone numbers as Chinese offices write them (dates such as 2026-06-30 never match). A local
number without its area code is removed where the organisation table states it (`Secrets`)."""

NAME_SPLIT = re.compile(r"[、，,；;/\s]+")
MIN_NAME = 2
"""Shorter strings are not names one can mask without masking ordinary words (王, 李)."""


@dataclass(frozen=True)
class Secrets:
    """Names and literal phone numbers to remove, longest first (so 王明明 goes before 王明)."""

    names: tuple[str, ...]
    phones: tuple[str, ...]

    @classmethod
    def of(
        cls, names: Iterable[str], phones: Iterable[str] = (), public: Iterable[str] = ()
    ) -> Secrets:
        """`public`: names of organisations and offices (units, schools, townships, roles).
        A shared office account is often named after its office (石桥镇中心校, 责任督学); such
        a name is no person's and is left in the text, or the page would mask the unit itself."""
        offices = {p.strip() for p in public if p}
        found: set[str] = set()
        for raw in names:
            for part in (raw or "", *NAME_SPLIT.split(raw or "")):
                part = part.strip()
                if len(part) >= MIN_NAME and part not in offices:
                    found.add(part)
        numbers = {p.strip() for p in phones if p and len(p.strip()) >= MIN_NAME}
        return cls(
            names=tuple(sorted(found, key=lambda n: (-len(n), n))),
            phones=tuple(sorted(numbers, key=lambda n: (-len(n), n))),
        )


def scrub(text: str, secrets: Secrets) -> str:
    """`text` with every known phone number, phone-like number and known name replaced by MASK."""
    if not text:
        return ""
    for phone in secrets.phones:
        text = text.replace(phone, MASK)
    text = PHONE.sub(MASK, text)
    for name in secrets.names:
        text = text.replace(name, MASK)
    return text


def scrub_all(value: Any, secrets: Secrets) -> Any:
    """Every string inside `value` (nested lists and mappings, as stored JSON) scrubbed."""
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {k: scrub_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_all(v, secrets) for v in value]
    return value


def _tasks(tasks: Iterable[Any], secrets: Secrets) -> list[dict[str, Any]]:
    """Overdue or due tasks as the public reads them: the problem, the lead unit and the
    deadline; never the 责任人, the 包保领导 or the measures' free text."""
    return [
        {
            "problem": scrub(t.problem_title, secrets),
            "unit": scrub(t.lead_unit, secrets),
            "deadline": t.deadline.isoformat() if t.deadline else "",
        }
        for t in tasks
    ]


def frozen_bulletin(data: Bulletin, secrets: Secrets) -> dict[str, Any]:
    """The bulletin's numbers and text as stored for the public page (JSON-ready)."""
    return {
        "title": scrub(data.title, secrets),
        "span": data.span,
        "summary": scrub(data.summary(), secrets),
        "progress": [
            {
                "unit": scrub(p.unit, secrets),
                "total": p.total,
                "closed": p.closed,
                "overdue": p.overdue,
                "share": p.closed_share_text,
            }
            for p in data.ranking
        ],
        "overdue": _tasks(data.overdue, secrets),
        "due_days": data.due_days,
        "due": _tasks(data.due, secrets),
        "closed": [
            {
                "title": scrub(c.title, secrets),
                "units": scrub(c.units, secrets),
                "closed_on": c.closed_on.isoformat(),
            }
            for c in data.closed
        ],
        "total": data.total,
        "closed_total": data.closed_total,
    }
