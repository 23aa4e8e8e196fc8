"""The abandoned_land API, mounted at /api/abandoned_land/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "abandoned_land-api"
router = DefaultRouter()
router.register("parcels", views.ParcelViewSet, basename="parcel")
router.register("inspections", views.InspectionViewSet, basename="inspection")
urlpatterns = router.urls
