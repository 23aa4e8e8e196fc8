"""Root URL configuration.

Workstream pages and APIs are mounted from the registry (``Workstream.urls`` at
``/<key>/``, ``Workstream.api_urls`` at ``/api/<key>/``), so adding a workstream
does not touch this file.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from . import health, inbox, maps, profile, report_views, views, villages
from .audit_views import AuditLogView
from .registry import registry
from .reminders import views as reminder_views
from .setup import views as setup_views

county_patterns = (
    [
        path("todo/", views.todo, name="todo"),
        path("cockpit/", views.cockpit, name="cockpit"),
        path("leader/", views.leader, name="leader"),
        path("inbox/", inbox.inbox, name="inbox"),
        path("inbox/<str:key>/<int:pk>/", inbox.inbox_decide, name="inbox_decide"),
        path("profile/", profile.profile, name="profile"),
        path("profile/email-address/", profile.email_address, name="email_address"),
        path("villages/", villages.villages, name="villages"),
        path("geo/townships.geojson", maps.townships_geojson, name="townships_geojson"),
        path("profile/email/", reminder_views.email_toggle, name="email_toggle"),
        path("notifications/", reminder_views.notifications, name="notifications"),
        path("notifications/<int:pk>/", reminder_views.notification, name="notification"),
        path(
            "notifications/<int:pk>/read/",
            reminder_views.notification_read,
            name="notification_read",
        ),
        path(
            "notifications/read-all/",
            reminder_views.notifications_read_all,
            name="notifications_read_all",
        ),
        path("notices/", reminder_views.notices, name="notices"),
        path("notices/<int:pk>/", reminder_views.notice, name="notice"),
        path("audit/", AuditLogView.as_view(), name="audit"),
        path("ranking/", report_views.ranking_page, name="ranking"),
        path("ranking/export/", report_views.ranking_export, name="ranking_export"),
        path("ranking/formula/", report_views.formula_page, name="ranking_formula"),
        path("briefing/", report_views.briefing_page, name="briefing"),
        path("briefing/docx/", report_views.briefing_docx, name="briefing_docx"),
    ],
    "county",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", setup_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        setup_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("setup/", include("county.setup.urls")),
    path("", include(county_patterns)),
    path("ledger/", include("county.ledger.urls")),
    path("field/", include("county.field")),  # the installable field app (county/field.py)
    path("admin/", admin.site.urls),
    # Only for logged-in users: the schema answers 403 to anyone else, the Swagger UI sends them
    # to the login page. The split view serves its init script as a file (no inline script).
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
for workstream in registry:
    if workstream.urls:
        urlpatterns.append(path(f"{workstream.key}/", include(workstream.urls)))
    if workstream.api_urls:
        urlpatterns.append(path(f"api/{workstream.key}/", include(workstream.api_urls)))

admin.site.site_header = "县域改革工作督查平台 · 系统管理"
admin.site.site_title = "督查平台管理"
admin.site.index_title = "系统管理"
