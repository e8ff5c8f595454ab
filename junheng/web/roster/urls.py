"""Routes of the teacher roster (教师名册); included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.roster import plan_views, views

app_name = "roster"

urlpatterns = [
    path("counties/<int:county_id>/<str:year>/roster/", views.roster, name="page"),
    path(
        "counties/<int:county_id>/<str:year>/roster/template.xlsx",
        views.template,
        name="template",
    ),
    path(
        "counties/<int:county_id>/<str:year>/roster/full-export/",
        views.full_export,
        name="full_export",
    ),
    path(
        "counties/<int:county_id>/<str:year>/roster/reconcile/",
        views.reconcile,
        name="reconcile",
    ),
    path(
        "counties/<int:county_id>/<str:year>/roster/reconcile/adopt/",
        views.adopt_roster,
        name="adopt",
    ),
    path(
        "counties/<int:county_id>/<str:year>/roster/rules/",
        views.choose_rules,
        name="rules",
    ),
    path("counties/<int:county_id>/<str:year>/roster/plan/", plan_views.plan, name="plan"),
    path(
        "counties/<int:county_id>/<str:year>/roster/plan.xlsx",
        plan_views.plan_export,
        name="plan_export",
    ),
    path(
        "counties/<int:county_id>/<str:year>/roster/plan/tasks/",
        plan_views.plan_tasks,
        name="plan_tasks",
    ),
]
