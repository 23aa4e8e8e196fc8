"""Test URLs: the project's plus the test workstream's."""

from django.urls import include, path

from county.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("testapp/", include("tests.testapp.urls")), *project_urlpatterns]
