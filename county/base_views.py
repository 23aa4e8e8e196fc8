"""Base views every workstream builds its pages from.

A list page is a FilterSet, a template and a few lines::

    class ProblemList(ScopedListView):
        model = Problem
        filterset_class = ProblemFilter
        template_name = "environment/problem_list.html"

The queryset is always ``Model.objects.visible_to(request.user)``; detail and
edit views fetch through the same rule, so another unit's record is a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Rows this user may see; ``editable = True`` narrows it to rows he may change."""

    editable = False

    def scoped_queryset(self):
        manager = self.model._default_manager
        if self.editable:
            return manager.editable_by(self.request.user)
        return manager.visible_to(self.request.user)

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedListView(ScopedQuerysetMixin, FilterView):
    """Filter form + table + pagination over the visible rows."""

    paginate_by = 50
    strict = False  # an invalid filter shows the form errors and the unfiltered list

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()  # for pagination and export links
        return context


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    """A visible record, with ``can_edit`` for the template."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.object.is_editable_by(self.request.user)
        return context


class ScopedUpdateView(ScopedQuerysetMixin, UpdateView):
    """Edit a record the user may change: invisible is 404, visible but not editable is 403."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not obj.is_editable_by(self.request.user):
            raise PermissionDenied("您无权修改该记录。")
        return obj
