"""Routes of the 考核与会议 pages; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.appraisal import views

_C = "counties/<int:county_id>/<str:year>/"

urlpatterns = [
    path(_C + "appraisal/", views.appraisal, name="appraisal"),
    path(_C + "appraisal.xlsx", views.appraisal_xlsx, name="appraisal_xlsx"),
    path(
        "appraisal/counties/<int:county_id>/decisions/", views.decisions, name="appraisal_decisions"
    ),
    path(
        "appraisal/decisions/<int:pk>/edit/",
        views.decision_edit,
        name="appraisal_decision_edit",
    ),
    path(
        "appraisal/decisions/<int:pk>/document/",
        views.decision_document,
        name="appraisal_decision_document",
    ),
    path(_C + "meetings/", views.meetings, name="appraisal_meetings"),
    path("meetings/<int:pk>/", views.meeting, name="appraisal_meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="appraisal_meeting_edit"),
    path("meetings/decisions/<int:pk>/task/", views.decision_task, name="appraisal_decision_task"),
]
