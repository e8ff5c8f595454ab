"""Routes of the import pages; included by `pages/urls.py`."""

from __future__ import annotations

from django.urls import path

from junheng.web.pages import imports

urlpatterns = [
    path("import/", imports.import_start, name="import_start"),
    path(
        "counties/<int:county_id>/<str:year>/import/", imports.import_county, name="import_county"
    ),
    path(
        "counties/<int:county_id>/<str:year>/templates/county.xlsx",
        imports.county_template,
        name="import_county_template",
    ),
    path(
        "counties/<int:county_id>/<str:year>/templates/schools.zip",
        imports.school_books,
        name="import_school_books",
    ),
    path("schools/<str:school_id>/<str:year>/import/", imports.import_school, name="import_school"),
    path(
        "schools/<str:school_id>/<str:year>/template.xlsx",
        imports.school_book,
        name="import_school_book",
    ),
    path("imports/<int:run_id>/", imports.import_run, name="import_run"),
    path("imports/<int:run_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:run_id>/reports/<int:index>/", imports.import_report, name="import_report"),
]
