"""Base views every workstream builds its pages from.

A list page is a FilterSet, a template and a few lines::

    class ProblemList(ScopedListView):
        model = Problem
        filterset_class = ProblemFilter
        template_name = "environment/problem_list.html"

The queryset is always ``Model.objects.visible_to(request.user)``; detail and
edit views fetch through the same rule, so another unit's record is a 404.

A workflow step (accept, send back, submit, change the stage …) is an
:class:`ActionStepView`: a form, the workstream's rule, and on failure the page
again with the errors beside the fields.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView

from . import figures_cache
from .concurrency import Conflict, StaleVersion
from .forms import mark_invalid
from .scoping import decide_refusal, may


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


class CachedCountPaginator(Paginator):
    """A paginator whose row count is kept under ``count_key`` with the page's rendered rows
    (while no table the view read changes): a list served from the cache does not count the
    whole table again."""

    def __init__(self, *args, count_key=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.request = request

    @cached_property
    def count(self):
        counted = Paginator.count.func  # the plain count, undecorated
        if not self.count_key:
            return counted(self)
        return figures_cache.rows(self.request, self.count_key, lambda: counted(self))


class ScopedListView(ScopedQuerysetMixin, FilterView):
    """Filter form + table + pagination over the visible rows."""

    paginate_by = 50
    paginator_class = CachedCountPaginator
    strict = False  # an invalid filter shows the form errors and the unfiltered list
    caches_rows = True  # what the view reads is recorded (county.figures_cache)

    @cached_property
    def rows_key(self):
        """The rendered rows are kept until a table the view read changes."""
        return figures_cache.rows_key(self.request, self.model._meta.app_label)

    def get_paginator(self, *args, **kwargs):
        count_key = f"{self.rows_key}:count" if self.rows_key else None
        return super().get_paginator(*args, count_key=count_key, request=self.request, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()  # for pagination and export links
        context["rows_key"] = self.rows_key
        return context


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    """A visible record, with ``can_edit`` for the template."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.object.is_editable_by(self.request.user)
        return context


class ActionRequiredMixin(LoginRequiredMixin):
    """A page for one action on a model as a whole (``create``, ``import`` …): 403 with a
    Chinese message unless ``county.scoping.may(user, permission_action, model)``."""

    permission_action = "create"
    permission_model = None  # default: the view's ``model``
    permission_denied_message = "您没有权限进行此操作。"

    def dispatch(self, request, *args, **kwargs):
        model = self.permission_model or self.model
        if request.user.is_authenticated and not may(request.user, self.permission_action, model):
            raise PermissionDenied(self.permission_denied_message)
        return super().dispatch(request, *args, **kwargs)


class ScopedUpdateView(ScopedQuerysetMixin, UpdateView):
    """Edit a record the user may change: invisible is 404, visible but not editable is 403.

    ``permission_action`` names the model's declared action (``change`` by default)."""

    permission_action = "change"
    permission_denied_message = "您无权修改该记录。"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not may(self.request.user, self.permission_action, obj):
            raise PermissionDenied(self.permission_denied_message)
        return obj


class ActionStepView(ScopedQuerysetMixin, View):
    """One step of a workflow on one record: a form, the rule, the page again on failure.

    POST:

    1. the record is fetched through ``visible_to`` (another unit's record is a 404) and
       :meth:`check` may refuse the user (403);
    2. the bound form is validated; then inside ``transaction.atomic`` the record is
       locked (``select_for_update``, fetched afresh) and :meth:`perform` runs the
       workstream's rule on it — the rule re-checks the state and raises one of
       ``rule_errors`` with a Chinese message when it says no;
    3. on success the message :meth:`perform` returns is flashed and the browser goes to
       :meth:`get_success_url`; on failure ``template_name`` (the detail page, or the
       step's own form page) is rendered again with the bound form under ``form_name``
       and its errors beside the fields: 400 when the form is invalid or the rule says
       no, 409 when the rule raised :class:`Conflict` (the record is no longer in the
       state the step needs, e.g. someone else decided it meanwhile).

    GET shows the step's own form page when ``form_template_name`` is set (else 405). A
    step with a confirm page sets ``confirm_template_name``: a valid form without
    ``confirmed=1`` shows that page first.
    """

    model = None
    permission_action = None
    permission_denied_message = "您没有权限进行此操作。"
    form_class = None
    form_name = "form"
    template_name = None
    form_template_name = None
    confirm_template_name = None
    rule_errors = (ValidationError,)
    invalid_status = 400
    refused_status = 400
    conflict_status = 409
    pk_url_kwarg = "pk"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs[self.pk_url_kwarg])

    def lock_object(self, obj):
        """The record again, row-locked until the step's transaction ends."""
        return self.model._default_manager.select_for_update().get(pk=obj.pk)

    def check(self, obj):
        """Raise PermissionDenied when the user may not take this step at all: before the
        record's state is looked at, so a refused user is told 403, never 400 or 409.

        ``permission_action`` names the model's declared action for the step (``decide``
        refuses the record's own unit with its own reason)."""
        action = self.permission_action
        if action is None:
            return
        user = self.request.user
        if action == "decide":
            refusal = decide_refusal(user, obj)
            if refusal:
                raise PermissionDenied(refusal)
        elif not may(user, action, obj):
            raise PermissionDenied(self.permission_denied_message)

    def check_version(self, form, locked):
        """A form that carries the record's version (``VersionedFormMixin``) must still match
        the locked row: else :class:`~county.concurrency.StaleVersion` (409, both versions)."""
        if form is None or not hasattr(form, "refuse_stale"):
            return
        yours = form.cleaned_data.get("version")
        if yours != locked.version:
            raise StaleVersion(yours or 0, locked.version)

    def get_form_kwargs(self, obj):
        kwargs = {"initial": self.get_initial(obj)}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def get_initial(self, obj):
        return {}

    def get_form(self, obj):
        return self.form_class(**self.get_form_kwargs(obj)) if self.form_class else None

    def perform(self, form, obj):
        """Run the rule on the locked record; return the success message."""
        raise NotImplementedError

    def get_success_url(self, obj):
        return obj.get_absolute_url()

    def get_context_data(self, obj, form, **kwargs):
        """The page's context; a detail page's step builds the detail page's context here."""
        return {"object": obj, self.form_name: form, **kwargs}

    def render(self, template_name, obj, form, status=200, **kwargs):
        context = self.get_context_data(obj, form, **kwargs)
        return TemplateResponse(self.request, template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        if not self.form_template_name:
            return self.http_method_not_allowed(request, *args, **kwargs)
        obj = self.get_object()
        self.check(obj)
        return self.render(self.form_template_name, obj, self.get_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.check(obj)
        form = self.get_form(obj)
        if form is not None and not form.is_valid():
            stale = getattr(form, "stale", None) is not None  # a version check said no
            return self.failed(obj, form, self.conflict_status if stale else self.invalid_status)
        if self.confirm_template_name and request.POST.get("confirmed") != "1":
            return self.render(self.confirm_template_name, obj, form)
        try:
            with transaction.atomic():
                locked = self.lock_object(obj)
                self.check_version(form, locked)
                message = self.perform(form, locked)
        except (Conflict, *self.rule_errors) as error:
            if isinstance(error, StaleVersion) and hasattr(form, "refuse_stale"):
                form.refuse_stale(error)
                mark_invalid(form)
            elif isinstance(error, Conflict) or form is None:
                # The record moved on (e.g. decided meanwhile): the step's form may no
                # longer be on the page, so the message goes on top of it.
                messages.error(request, "；".join(error_messages(error)))
            else:
                add_rule_error(form, error)
            status = self.conflict_status if isinstance(error, Conflict) else self.refused_status
            return self.failed(self.get_object(), form, status)
        if message:
            messages.success(request, message)
        return redirect(self.get_success_url(locked))

    def failed(self, obj, form, status):
        template = self.template_name or self.form_template_name
        return self.render(template, obj, form, status=status)


def error_messages(error):
    """The Chinese messages of a rule's error (ValidationError or a plain exception)."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


def add_rule_error(form, error):
    """Put a rule's errors beside their fields (is-invalid included), the rest on top."""
    if form is None:
        return
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(error))
    mark_invalid(form)
