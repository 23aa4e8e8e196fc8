"""URLs of the ledger pages: /ledger/<key>/import/, …/export/, …/template/."""

from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("<slug:key>/import/", views.import_upload, name="import"),
    path("<slug:key>/import/confirm/", views.import_confirm, name="confirm"),
    path("<slug:key>/import/cancel/", views.import_cancel, name="cancel"),
    path("<slug:key>/export/", views.export, name="export"),
    path("<slug:key>/template/", views.template, name="template"),
]
