"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

county_patterns = (
    [
        path("todo/", views.todo, name="todo"),
        path("cockpit/", views.cockpit, name="cockpit"),
        path("profile/", views.profile, name="profile"),
    ],
    "county",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include(county_patterns)),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "县域改革工作督查平台 · 系统管理"
admin.site.site_title = "督查平台管理"
admin.site.index_title = "系统管理"
