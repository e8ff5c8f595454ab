"""`{% load snapshots %}`: what the pages print about a snapshot and the county's school years."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from junheng.web.evaluation.models import Snapshot
from junheng.web.pages.presenters import standard_text
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import county_year_labels

register = template.Library()


@register.filter
def standard_of_snapshot(snapshot: Snapshot) -> str:
    """`{{ snapshot|standard_of_snapshot }}`: the standard's name and version, never its id."""
    return standard_text(snapshot.standard_id, snapshot.standard_version)


@register.simple_tag
def county_year_links(county: County, year: SchoolYear, url_name: str) -> list[dict[str, Any]]:
    """`{% county_year_links county year "county_review" as links %}`: the same page for every
    school year the county has data or an evaluation of (one query), newest first, the shown one
    marked."""
    labels = sorted(set(county_year_labels(county)) | {year.label}, reverse=True)
    return [
        {
            "label": label,
            "current": label == year.label,
            "url": reverse(url_name, args=[county.pk, label]),
        }
        for label in labels
    ]
