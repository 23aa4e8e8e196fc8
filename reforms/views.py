"""Pages of the reform ledger."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect

from county.base_views import ScopedDetailView, ScopedListView

from .filtersets import ReformItemFilter, SubTaskFilter
from .models import ReformItem, SubTask


@login_required
def overview(request):
    return redirect("reforms:list")


class ItemList(ScopedListView):
    model = ReformItem
    filterset_class = ReformItemFilter
    template_name = "reforms/item_list.html"


class TaskList(ScopedListView):
    model = SubTask
    filterset_class = SubTaskFilter
    template_name = "reforms/task_list.html"


class ItemDetail(ScopedDetailView):
    model = ReformItem
    template_name = "reforms/item_detail.html"


@login_required
def subtask(request, pk):
    task = get_object_or_404(SubTask.objects.visible_to(request.user), pk=pk)
    return redirect(f"{task.item_id and ''}/reforms/items/{task.item_id}/#task-{task.pk}")
