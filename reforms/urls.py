"""URLs of the reform ledger, mounted at /reforms/."""

from django.urls import include, path

from . import views

app_name = "reforms"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/", views.ItemList.as_view(), name="list"),
    path("items/<int:pk>/", views.ItemDetail.as_view(), name="item"),
    path("tasks/", views.TaskList.as_view(), name="tasks"),
    path("tasks/<int:pk>/", views.subtask, name="subtask"),
    path("", include("reforms.urls_records")),
]
