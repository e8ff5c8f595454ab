"""Routes of the 创建档案 pages; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.archive import views

app_name = "archive"

_C = "counties/<int:county_id>/<str:year>/archive/"

urlpatterns = [
    path(_C, views.home, name="home"),
    path(_C + "<str:item_id>/", views.item, name="item"),
    path("archive/files/<int:pk>/", views.download, name="download"),
    path("archive/files/<int:pk>/delete/", views.delete, name="delete"),
]
