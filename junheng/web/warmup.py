"""What a server process loads before its first request, so that no visitor waits for it.

gunicorn imports the application once (`preload_app`) and forks its workers from that process;
every worker recycled after `max_requests` starts from it again. Django itself imports the URL
configuration (and with it every view module, openpyxl and Polars) and compiles each template
on first use, in each worker: about two seconds for the first request of every new worker,
which a busy site sees as a stall whenever workers are recycled. Done here, it is done once,
before the fork, and shared by all workers.
"""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver

from junheng.standards import available_standards


def template_names(engine: DjangoTemplates) -> list[str]:
    """Every template the engine finds in its folders and its apps' template folders."""
    names: set[str] = set()
    for folder in engine.template_dirs:
        root = Path(folder)
        names.update(str(p.relative_to(root)) for p in root.rglob("*.html") if p.is_file())
    return sorted(names)


def warm_process() -> int:
    """Import every view, load the bundled standards and compile every template of the site;
    returns the number of templates compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — importing the URL configuration is the point
    resolver.reverse_dict  # noqa: B018 — and the table `reverse` reads
    available_standards()
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        engine.engine.template_context_processors  # noqa: B018 — imports them
        for name in template_names(engine):
            engine.get_template(name)
            compiled += 1
    return compiled
