"""Routes of the 整改台账 pages; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.rectification import views, views_school, views_township

_C = "counties/<int:county_id>/<str:year>/rectification/"

urlpatterns = [
    path("rectification/", views.start, name="rectification_start"),
    path(_C, views.home, name="rectification"),
    path(_C + "generate/", views.generate, name="rectification_generate"),
    path(_C + "problems/new/", views.problem_new, name="rectification_problem_new"),
    path(_C + "organisation/", views.organisation, name="rectification_organisation"),
    path(
        _C + "organisation/template.xlsx",
        views.organisation_template,
        name="rectification_organisation_template",
    ),
    path("rectification/units/<int:pk>/edit/", views.unit_edit, name="rectification_unit_edit"),
    path(
        "rectification/units/<int:pk>/delete/",
        views.unit_delete,
        name="rectification_unit_delete",
    ),
    path(
        "rectification/people/<int:pk>/edit/",
        views.person_edit,
        name="rectification_person_edit",
    ),
    path(
        "rectification/people/<int:pk>/delete/",
        views.person_delete,
        name="rectification_person_delete",
    ),
    path(_C + "due/", views.due, name="rectification_due"),
    path(_C + "bulletin/", views.bulletin, name="rectification_bulletin"),
    path(_C + "plan/", views.plan, name="rectification_plan"),
    path(_C + "ledger.xlsx", views.ledger_xlsx, name="rectification_ledger_xlsx"),
    path(_C + "ledger/import/", views.ledger_import, name="rectification_ledger_import"),
    path(_C + "policies/", views.policies, name="rectification_policies"),
    path(_C + "bulletin.docx", views.bulletin_docx, name="rectification_bulletin_docx"),
    path("rectification/problems/<int:pk>/", views.problem_detail, name="rectification_problem"),
    path(
        "rectification/problems/<int:pk>/close/",
        views.problem_close,
        name="rectification_problem_close",
    ),
    path(
        "rectification/problems/<int:pk>/tasks/new/", views.task_new, name="rectification_task_new"
    ),
    path("rectification/tasks/<int:pk>/", views.task_detail, name="rectification_task"),
    path("rectification/tasks/<int:pk>/edit/", views.task_edit, name="rectification_task_edit"),
    path(
        "rectification/tasks/<int:pk>/progress/", views.task_progress, name="rectification_progress"
    ),
    path("rectification/tasks/<int:pk>/step/", views.task_step, name="rectification_step"),
    path("rectification/tasks/<int:pk>/approve/", views.approve, name="rectification_approve"),
    path(
        "rectification/evidence/<int:pk>/", views.evidence_download, name="rectification_evidence"
    ),
]

# 一校一案 and 一镇一册
urlpatterns += [
    path("rectification/schools/", views_school.schools, name="rectification_schools"),
    path(
        "schools/<str:school_id>/<str:year>/rectification/",
        views_school.school_plan,
        name="rectification_school",
    ),
    path(
        "schools/<str:school_id>/<str:year>/rectification/plan.docx",
        views_school.school_plan_docx,
        name="rectification_school_docx",
    ),
    path(
        _C + "townships/<str:township>/",
        views_township.township_page,
        name="rectification_township",
    ),
    path(
        _C + "townships/<str:township>/book.docx",
        views_township.township_docx,
        name="rectification_township_docx",
    ),
]
