"""URLs of the reform ledger, mounted at /reforms/."""

from django.urls import include, path

from . import views

app_name = "reforms"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/", views.ItemList.as_view(), name="list"),
    path("items/new/", views.ItemCreate.as_view(), name="item_create"),
    path("items/<int:pk>/", views.ItemDetail.as_view(), name="item"),
    path("items/<int:pk>/edit/", views.ItemUpdate.as_view(), name="item_edit"),
    path("items/<int:pk>/reassign/", views.item_reassign, name="item_reassign"),
    path("items/<int:item>/tasks/new/", views.SubTaskCreate.as_view(), name="subtask_create"),
    path("items/<int:pk>/instructions/", views.add_instruction, name="instruct"),
    path("tasks/", views.TaskList.as_view(), name="tasks"),
    path("tasks/<int:pk>/", views.subtask, name="subtask"),
    path("tasks/<int:pk>/edit/", views.SubTaskUpdate.as_view(), name="subtask_edit"),
    path("tasks/<int:pk>/reassign/", views.subtask_reassign, name="subtask_reassign"),
    path("tasks/<int:pk>/report/", views.report_progress, name="report"),
    path("tasks/<int:pk>/deadline/", views.request_deadline, name="request_deadline"),
    path("tasks/<int:pk>/complete/", views.request_completion, name="request_completion"),
    path("deadline-changes/<int:pk>/decide/", views.decide_deadline, name="decide_deadline"),
    path("completions/<int:pk>/decide/", views.decide_completion, name="decide_completion"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("", include("reforms.urls_records")),
]
