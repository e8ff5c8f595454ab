"""档案材料 are read here and changed on the archive pages, where the evidence checks apply; a
county's own requirements may be corrected here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.archive.requirements import ItemRequirements, load_requirements
from junheng.rectification.filetypes import BY_KIND
from junheng.standards import load_standard
from junheng.web.archive import services
from junheng.web.archive.models import ArchiveFile, CountyRequirement


@admin.register(CountyRequirement)
class CountyRequirementAdmin(admin.ModelAdmin):
    list_display = ["title", "item_text", "county", "created_by", "created_at"]
    list_filter = ["county"]
    search_fields = ["title"]
    fields = ["county", "item", "title", "shows", "source", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(description="指标")
    def item_text(self, row: CountyRequirement) -> str:
        item = load_requirements(load_standard()).items.get(row.item)
        return item.label if item is not None else row.item


@admin.register(ArchiveFile)
class ArchiveFileAdmin(admin.ModelAdmin):
    """Files by name, item and requirement in words; where and under which checksum they are
    stored is the evidence store's business."""

    list_display = ["name", "item_text", "requirement_text", "county", "year", "uploaded_at"]
    list_filter = ["county", "year"]
    search_fields = ["name"]
    fields = [
        *("name", "kind_text", "size", "county", "year", "item_text", "requirement_text"),
        *("note", "uploaded_by", "uploaded_at"),
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="类型")
    def kind_text(self, row: ArchiveFile) -> str:
        known = BY_KIND.get(row.kind)
        return known.label if known is not None else "其他文件"

    def _item(self, row: ArchiveFile) -> ItemRequirements | None:
        try:
            return services.requirement_set(row.county, row.year).items.get(row.item)
        except Exception:  # the requirements cannot be read: the admin still lists the file
            return None

    @admin.display(description="指标")
    def item_text(self, row: ArchiveFile) -> str:
        item = self._item(row)
        return item.label if item is not None else row.item

    @admin.display(description="材料要求")
    def requirement_text(self, row: ArchiveFile) -> str:
        item = self._item(row)
        requirement = item.requirement(row.requirement) if item is not None else None
        return requirement.title if requirement is not None else services.OTHER_TITLE
