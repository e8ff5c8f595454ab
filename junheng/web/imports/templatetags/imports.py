"""`{% load imports %}`: whether to offer the import button, by the rule in `accounts.scope`."""

from __future__ import annotations

from django import template

from junheng.web.accounts.scope import AnyUser, can_import_county
from junheng.web.registry.models import County

register = template.Library()


@register.filter
def may_import(user: AnyUser, county: County) -> bool:
    """`{% if user|may_import:county %}`: the user may import the county's workbook."""
    return can_import_county(user, county)
