"""The planning API, mounted at /api/landplan/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "landplan-api"
router = DefaultRouter()
router.register("areas", views.PlanAreaViewSet, basename="area")
router.register("stage-changes", views.StageChangeViewSet, basename="stage-change")
router.register("notes", views.ProgressNoteViewSet, basename="note")
urlpatterns = router.urls
