"""URLs of the ledger's other records: follow-up problems, innovations, experiences."""

from django.urls import path

from . import views_records as views

urlpatterns = [
    path("followups/", views.FollowUpList.as_view(), name="followups"),
    path("followups/new/", views.followup_edit, name="followup_create"),
    path("followups/<int:pk>/", views.followup_detail, name="followup"),
    path("followups/<int:pk>/edit/", views.followup_edit, name="followup_edit"),
    path("followups/<int:pk>/recheck/", views.followup_recheck, name="followup_recheck"),
    path("followups/<int:pk>/rectified/", views.followup_rectified, name="followup_rectified"),
    path("followups/<int:pk>/reassign/", views.followup_reassign, name="followup_reassign"),
    path("innovations/", views.InnovationList.as_view(), name="innovations"),
    path("innovations/new/", views.innovation_edit, name="innovation_create"),
    path("innovations/<int:pk>/", views.innovation_detail, name="innovation"),
    path("innovations/<int:pk>/edit/", views.innovation_edit, name="innovation_edit"),
    path("innovations/<int:pk>/report/", views.innovation_report, name="innovation_report"),
    path("innovations/<int:pk>/reassign/", views.innovation_reassign, name="innovation_reassign"),
    path("experiences/", views.experiences, name="experiences"),
    path("experiences/new/", views.experience_edit, name="experience_create"),
    path("experiences/<int:pk>/edit/", views.experience_edit, name="experience_edit"),
]
