"""Reading generated Word documents back in tests: table headers, bodies and all text."""

from __future__ import annotations


def header(table) -> tuple[str, ...]:
    return tuple(c.text for c in table.rows[0].cells)


def body(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)
