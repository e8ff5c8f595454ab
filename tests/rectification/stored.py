"""A draft as reconciliation later sees it once stored: the rectification tests' stand-in for a
problem row of the database."""

from __future__ import annotations

from junheng.rectification.problems import ProblemDraft, ProblemState


def as_stored(draft: ProblemDraft, pk: int) -> ProblemState:
    """`draft` stored as record `pk`, open, with its numbers and wording."""
    return ProblemState(
        key=draft.key,
        value=draft.value,
        threshold=draft.threshold,
        gap=draft.gap,
        title=draft.title,
        description=draft.description,
        id=pk,
    )
