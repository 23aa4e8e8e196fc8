"""Pages of 撂荒地整治, mounted at /abandoned_land/."""

from django.urls import include, path

from . import field, maps, views

app_name = "abandoned_land"
urlpatterns = [
    path("", include(field)),  # the field app's reference data and sync (field.py)
    path("", views.overview, name="overview"),
    path("parcels/", views.ParcelList.as_view(), name="parcel_list"),
    path("map/", maps.parcel_map, name="parcel_map"),
    path("map/data.json", maps.parcel_map_data, name="parcel_map_data"),
    path("parcels/<int:pk>/", views.ParcelDetail.as_view(), name="parcel_detail"),
    path("parcels/<int:pk>/update/", views.parcel_update, name="parcel_update"),
    path("parcels/<int:pk>/reassign/", views.parcel_reassign, name="parcel_reassign"),
    path("parcels/<int:pk>/inspect/", views.inspection_create, name="inspection_create"),
    path("parcels/<int:pk>/void/", views.ParcelVoid.as_view(), name="parcel_void"),
]
