"""Routes of the 报告 page; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.documents import views

app_name = "documents"

urlpatterns = [
    path("reports/", views.start, name="start"),
    path("counties/<int:county_id>/<str:year>/reports/", views.reports, name="reports"),
    path("counties/<int:county_id>/<str:year>/reports/jobs/", views.jobs, name="jobs"),
    path("counties/<int:county_id>/<str:year>/reports/generate/", views.generate, name="generate"),
    path("documents/<int:document_id>/", views.download, name="download"),
]
