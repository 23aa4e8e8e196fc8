"""The environment API, mounted at /api/environment/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "environment-api"
router = DefaultRouter()
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("rectifications", views.RectificationViewSet, basename="rectification")
router.register("accountability", views.AccountabilityViewSet, basename="accountability")
router.register("categories", views.ProblemCategoryViewSet, basename="category")
urlpatterns = router.urls
