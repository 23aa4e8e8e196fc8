"""URLs of the ledger's other records: follow-up problems, innovations, experiences."""

from django.urls import path

from . import views_records

urlpatterns = [
    path("experiences/", views_records.experiences, name="experiences"),
]
