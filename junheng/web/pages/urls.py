"""Routes of the pages; included at the site root."""

from __future__ import annotations

from django.urls import include, path

from junheng.web.pages import evaluation, views

urlpatterns = [
    path("", views.home, name="home"),
    path("counties/", views.counties, name="counties"),
    path("counties/<int:county_id>/<str:year>/", views.county, name="county"),
    path("counties/<int:county_id>/<str:year>/evaluate/", evaluation.evaluate, name="evaluate"),
    path(
        "counties/<int:county_id>/<str:year>/evaluate/<int:snapshot_id>/",
        evaluation.evaluation_changes,
        name="evaluation_changes",
    ),
    path("schools/<str:school_id>/<str:year>/", views.school, name="school"),
    path("", include("junheng.web.pages.entry_urls")),
    path("", include("junheng.web.pages.imports_urls")),
    path("", include("junheng.web.pages.dashboards_urls")),
]
