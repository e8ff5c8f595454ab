"""Routes of the 督导检查 pages; included at the site root."""

from __future__ import annotations

from django.urls import URLPattern, path

from junheng.web.inspections import views

urlpatterns: list[URLPattern] = [
    path("inspections/", views.start, name="inspections"),
    path("inspections/plan/", views.plan, name="inspections_plan"),
    path("inspections/visits/<int:pk>/", views.visit_detail, name="inspections_visit"),
    path("inspections/visits/<int:pk>/record/", views.visit_record, name="inspections_record"),
    path("inspections/visits/<int:pk>/findings/", views.finding_add, name="inspections_finding"),
    path(
        "inspections/findings/<int:pk>/problem/",
        views.finding_problem,
        name="inspections_finding_problem",
    ),
    path(
        "inspections/visits/<int:pk>/rechecks/<int:problem_id>/",
        views.recheck,
        name="inspections_recheck",
    ),
    path("inspections/photos/<int:pk>/", views.photo, name="inspections_photo"),
    path(
        "inspections/schools/<str:school_id>/",
        views.school_visits,
        name="inspections_school",
    ),
    path("counties/<int:county_id>/inspections/assign/", views.assign, name="inspections_assign"),
    path(
        "counties/<int:county_id>/inspections/summary/",
        views.summary,
        name="inspections_summary",
    ),
    path(
        "counties/<int:county_id>/inspections/summary.xlsx",
        views.summary_xlsx,
        name="inspections_summary_xlsx",
    ),
]
