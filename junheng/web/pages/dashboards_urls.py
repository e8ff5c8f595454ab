"""Routes of the dashboard pages; included by `pages/urls.py`."""

from __future__ import annotations

from django.urls import include, path

from junheng.web.pages import class_sizes, dashboards, finance, forecast, views

urlpatterns = [
    path(
        "counties/<int:county_id>/<str:year>/indicators/<str:item_id>/<str:level>/",
        dashboards.indicator,
        name="indicator",
    ),
    path(
        "counties/<int:county_id>/<str:year>/indicators/<str:item_id>/<str:level>/export/",
        dashboards.indicator_export,
        name="indicator_export",
    ),
    path(
        "counties/<int:county_id>/<str:year>/export/<str:table>/",
        dashboards.county_export,
        name="county_export",
    ),
    path(
        "schools/<str:school_id>/<str:year>/export/", dashboards.school_export, name="school_export"
    ),
    path(
        "counties/<int:county_id>/<str:year>/townships/<str:township>/",
        views.township_overview,
        name="township_overview",
    ),
    path(
        "counties/<int:county_id>/<str:year>/forecast/",
        forecast.forecast_view,
        name="forecast",
    ),
    path(
        "counties/<int:county_id>/<str:year>/forecast.xlsx",
        forecast.forecast_export,
        name="forecast_export",
    ),
    path(
        "counties/<int:county_id>/<str:year>/classes/",
        class_sizes.class_sizes_view,
        name="class_sizes",
    ),
    path(
        "counties/<int:county_id>/<str:year>/finance/",
        finance.finance_view,
        name="finance",
    ),
    path("counties/<int:county_id>/<str:year>/plan-data/", include("junheng.web.pages.plan_data")),
    path("compare/", dashboards.compare_latest, name="compare_latest"),
    path("compare/<str:year>/", dashboards.compare, name="compare"),
    path("compare/<str:year>/export/", dashboards.compare_export, name="compare_export"),
]
