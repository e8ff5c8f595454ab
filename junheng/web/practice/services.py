"""Reading and saving the sections of 主要做法与成效, and the engine's figures offered beside
them. A save names the version it was read at; a save against an older version is refused with
the colleague's text, so nobody overwrites someone else's section unknowingly."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from junheng.reports.figures import figures_for
from junheng.reports.story import SectionSpec, load_sections
from junheng.web import clock
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages.presenters import standard_of
from junheng.web.practice.models import PracticeText
from junheng.web.registry.models import County, SchoolYear

MAX_CHARS = 20000
"""Characters of one section: about ten pages of the report, more than any county writes."""


def digest(text: str) -> str:
    """What the page shows of a text it was given, so a save-all can tell the sections the
    writer left untouched (not an identifier anyone reads)."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


class PracticeError(Exception):
    """A save refused with a sentence for the writer."""


@dataclass
class Conflict(PracticeError):
    """Someone else saved the section after the writer opened it."""

    heading: str
    current: PracticeText
    mine: str

    def __str__(self) -> str:
        who = writer_name(self.current)
        return (
            f"“{self.heading}”在您打开本页后已由{who}于{clock.stamp(self.current.updated_at)}"
            "修改，您的修改尚未保存。请对照下方对方保存的内容修改编辑框中的文字后再保存；"
            "再次保存将以您的文字为准。"
        )


def writer_name(row: PracticeText) -> str:
    user = row.updated_by
    if user is None:
        return "其他用户"
    return user.get_full_name() or user.get_username()


def texts(county: County, year: SchoolYear) -> dict[str, PracticeText]:
    rows = PracticeText.objects.filter(county=county, year=year).select_related("updated_by")
    return {row.key: row for row in rows}


def save_section(
    county: County,
    year: SchoolYear,
    spec: SectionSpec,
    text: str,
    version: int,
    user: Any,
) -> PracticeText | None:
    """Save one section's text read at `version` (0: the section had no text yet). Returns the
    row, or None when the text is what is stored already. Raises `Conflict` when someone saved
    since, `PracticeError` for a text too long."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_CHARS:
        raise PracticeError(
            f"“{spec.heading}”有 {len(text):,} 个字，超过每节 {MAX_CHARS:,} 字的上限，"
            "请精简后保存。"
        )
    with transaction.atomic():
        row = (
            # only the section's row is locked: PostgreSQL refuses to lock the nullable side of
            # the join to the user who saved it last
            PracticeText.objects.select_for_update(of=("self",))
            .filter(county=county, year=year, key=spec.key)
            .select_related("updated_by")
            .first()
        )
        if row is not None and row.text == text:
            return None
        if row is not None and row.version != version:
            raise Conflict(spec.heading, row, text)
        if row is None:
            try:
                with transaction.atomic():
                    return PracticeText.objects.create(
                        county=county, year=year, key=spec.key, text=text, updated_by=user
                    )
            except IntegrityError:
                # a colleague created the section in the same instant
                row = PracticeText.objects.select_related("updated_by").get(
                    county=county, year=year, key=spec.key
                )
                raise Conflict(spec.heading, row, text) from None
        row.text = text
        row.version += 1
        row.updated_by = user
        row.save()
        return row


def offered_figures(snapshot: Snapshot | None) -> dict[str, list[str]]:
    """Per section key, the sentences of the engine's figures from the snapshot (empty when
    there is no snapshot or its standard file is gone)."""
    specs = load_sections()
    if snapshot is None:
        return {s.key: [] for s in specs}
    standard = standard_of(snapshot.standard_id)
    if standard is None:
        return {s.key: [] for s in specs}
    entry = snapshot.result
    return {s.key: figures_for(s, entry, standard) for s in specs}
