"""Pages of the spatial-planning workstream, mounted at /landplan/."""

from django.urls import path

from . import maps, views

app_name = "landplan"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("areas/", views.AreaList.as_view(), name="area_list"),
    path("map/", maps.area_map, name="area_map"),
    path("map/data.json", maps.area_map_data, name="area_map_data"),
    path("areas/<int:pk>/", views.AreaDetail.as_view(), name="area_detail"),
    path("areas/<int:pk>/stage/", views.area_stage, name="area_stage"),
    path("areas/<int:pk>/edit/", views.AreaUpdate.as_view(), name="area_update"),
    path("areas/<int:pk>/notes/", views.note_create, name="note_create"),
    path("notes/", views.note_list, name="note_list"),
]
