"""URLs of the test workstream."""

from django.http import HttpResponse
from django.urls import path

app_name = "testapp"
urlpatterns = [
    path("", lambda request: HttpResponse("list"), name="list"),
    path("<int:pk>/", lambda request, pk: HttpResponse(str(pk)), name="detail"),
]
