"""Pages of the environment workstream, mounted at /environment/."""

from django.urls import include, path

from . import field, maps, views

app_name = "environment"
urlpatterns = [
    path("", include(field)),  # the field app's reference data and sync (field.py)
    path("", views.ProblemList.as_view(), name="problem_list"),
    path("stubborn/", views.StubbornList.as_view(), name="stubborn_list"),
    path("map/", maps.problem_map, name="problem_map"),
    path("map/data.json", maps.problem_map_data, name="problem_map_data"),
    path("problems/new/", views.ProblemCreate.as_view(), name="problem_create"),
    path("problems/<int:pk>/", views.ProblemDetail.as_view(), name="problem_detail"),
    path("problems/<int:pk>/edit/", views.ProblemUpdate.as_view(), name="problem_update"),
    path("problems/<int:pk>/reassign/", views.problem_reassign, name="problem_reassign"),
    path("problems/<int:pk>/start/", views.problem_start, name="problem_start"),
    path("problems/<int:pk>/submit/", views.problem_submit, name="problem_submit"),
    path("problems/<int:pk>/accept/", views.problem_accept, name="problem_accept"),
    path("problems/<int:pk>/reject/", views.problem_reject, name="problem_reject"),
    path("problems/<int:pk>/recheck/", views.problem_recheck, name="problem_recheck"),
    path("problems/<int:pk>/void/", views.ProblemVoid.as_view(), name="problem_void"),
    path("photos/<int:pk>/<str:variant>/", views.photo, name="photo"),
    path("inspections/", views.InspectionList.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreate.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.InspectionUpdate.as_view(), name="inspection_update"),
    path("inspections/<int:pk>/void/", views.InspectionVoid.as_view(), name="inspection_void"),
    path("categories/", views.CategoryList.as_view(), name="category_list"),
    path("categories/new/", views.CategoryCreate.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryUpdate.as_view(), name="category_update"),
    path("accountability/", views.AccountabilityList.as_view(), name="accountability_list"),
    path("accountability/new/", views.AccountabilityCreate.as_view(), name="accountability_create"),
    path(
        "accountability/<int:pk>/",
        views.AccountabilityDetail.as_view(),
        name="accountability_detail",
    ),
    path(
        "accountability/<int:pk>/edit/",
        views.AccountabilityUpdate.as_view(),
        name="accountability_update",
    ),
    path(
        "accountability/<int:pk>/void/",
        views.AccountabilityVoid.as_view(),
        name="accountability_void",
    ),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notice/", views.notice, name="notice"),
    path("notice/draft.docx", views.notice_docx, name="notice_docx"),
    path("notice/issue/", views.notice_issue, name="notice_issue"),
    path("notice/<int:pk>/document/", views.notice_document, name="notice_document"),
]
