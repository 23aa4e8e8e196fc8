"""URLs of the 县情初始化 pages: /setup/, …/confirm/, …/cancel/, …/template/, …/export/."""

from django.urls import path

from . import outlines, views

app_name = "setup"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
    path("cancel/", views.cancel, name="cancel"),
    path("template/", views.template, name="template"),
    path("export/", views.export, name="export"),
    path("outlines/", outlines.outlines, name="outlines"),
]
