"""API of the reform ledger, mounted at /api/reforms/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
urlpatterns = router.urls
