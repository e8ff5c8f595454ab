"""The server process's warm-up: what a new gunicorn worker inherits instead of loading on its
first request."""

from __future__ import annotations

import sys

from django.template import engines

from junheng.web.warmup import template_names, warm_process


def test_template_names_cover_the_site_and_its_apps():
    names = template_names(engines["django"])
    assert "pages/county.html" in names  # the project's own folder
    assert "pages/_indicator_board.html" in names
    assert "admin/base_site.html" in names  # an app's folder (django.contrib.admin)
    assert all(name.endswith(".html") for name in names)
    assert names == sorted(set(names))


def test_warm_process_compiles_every_template_into_the_cached_loader():
    engine = engines["django"].engine
    cached = next(
        loader for loader in engine.template_loaders if hasattr(loader, "get_template_cache")
    )
    cached.reset()
    compiled = warm_process()
    assert compiled == len(template_names(engines["django"]))
    assert "pages/county.html" in cached.get_template_cache
    assert "pages/_county_board.html" in cached.get_template_cache
    # and the views are imported: the URL configuration was read
    assert "junheng.web.pages.dashboards" in sys.modules
