"""Routes of the 社会认可度调查 pages; included at the site root.

`/s/…` is the public form (no login); everything under `/surveys/` is for county users.
"""

from __future__ import annotations

from django.urls import path

from junheng.web.surveys import public

urlpatterns = [
    path("s/", public.code_entry, name="survey_code"),
    path("s/<str:code>/", public.survey_form, name="survey_form"),
]
