"""Routes of the 创建进展公开 pages; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.public import views

urlpatterns = [
    path("p/<str:slug>/", views.public_page, name="public_page"),
    path("public/counties/<int:county_id>/", views.settings_page, name="public_settings"),
    path(
        "public/counties/<int:county_id>/bulletins/<int:pk>/withdraw/",
        views.withdraw_bulletin,
        name="public_withdraw",
    ),
    path(
        "counties/<int:county_id>/<str:year>/public/bulletin/",
        views.publish_bulletin,
        name="public_bulletin",
    ),
]
