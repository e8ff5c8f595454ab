"""Routes of the 社会认可度调查 pages; included at the site root.

`/s/…` is the public form (no login); everything under `/surveys/` is for county users, and
`surveys` (the list) is where they start.
"""

from __future__ import annotations

from django.urls import path

from junheng.web.surveys import public, views

urlpatterns = [
    path("s/", public.code_entry, name="survey_code"),
    path("s/<str:code>/", public.survey_form, name="survey_form"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/<int:county_id>/", views.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/status/", views.survey_status, name="survey_status"),
    path("surveys/<int:survey_id>/dates/", views.survey_dates, name="survey_dates"),
    path("surveys/<int:survey_id>/codes/", views.survey_codes, name="survey_codes"),
    path("surveys/<int:survey_id>/codes/all/", views.survey_codes_all, name="survey_codes_all"),
    path(
        "surveys/<int:survey_id>/batches/<int:batch_id>/sheet.<str:fmt>",
        views.survey_sheet,
        name="survey_sheet",
    ),
    path(
        "surveys/<int:survey_id>/questionnaires/<str:key>/",
        views.survey_questionnaire,
        name="survey_questionnaire",
    ),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/progress/", views.survey_progress, name="survey_progress"),
    path("surveys/<int:survey_id>/results.xlsx", views.survey_export, name="survey_export"),
    path("surveys/<int:survey_id>/exclude/", views.survey_exclude, name="survey_exclude"),
    path("surveys/<int:survey_id>/feed/", views.survey_feed, name="survey_feed"),
]
