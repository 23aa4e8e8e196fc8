"""API of the reform ledger, mounted at /api/reforms/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "reforms-api"
router = DefaultRouter()
router.register("items", views.ReformItemViewSet, basename="item")
router.register("subtasks", views.SubTaskViewSet, basename="subtask")
router.register("progress", views.ProgressReportViewSet, basename="progress")
router.register("followups", views.FollowUpProblemViewSet, basename="followup")
router.register("innovations", views.InnovationViewSet, basename="innovation")
router.register("experiences", views.ExperienceViewSet, basename="experience")
urlpatterns = router.urls
