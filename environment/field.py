"""The field app's (``/field/``) side of environment: reference data and the sync endpoints.

A phone records problems and rectifications offline and sends each later, with the id it gave
the record (``client_id``, a UUID). Every endpoint goes through the same checks as the pages:
``county.scoping`` (``may`` / ``restrict``), the same forms (``ProblemForm``,
``RectificationForm``, photos through ``environment.photos.check_photos``) and the loop's rule
(``Problem.submit``). A retried upload of a record that already arrived answers 200 with that
record and creates nothing; a 整改 for a problem that is no longer open answers 409 with the
rule's message, which the phone shows in its queue.

Answers are JSON: 201 created, 200 already there, 400 ``{"errors": {field: [..]}}``,
403 not allowed, 404 not visible, 409 ``{"conflict": message}``.
"""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from county.models import Unit, Village
from county.scoping import may, restrict
from county.status import today

from .choices import OPEN_FOR_UNIT
from .forms import PhotoField, ProblemForm, RectificationForm
from .models import LoopConflict, LoopError, Problem, ProblemCategory, Rectification

MAX_FIELD_PHOTOS = 6
DEADLINE_DAYS = 7  # the deadline the problem form proposes: found + 7 days (ProblemForm)
MAX_RECTIFY_ROWS = 300


def deadline_days(category):
    """Days from finding to the deadline the field app proposes for ``category``: the
    problem form's rule (found + 7 days) for every category today."""
    return DEADLINE_DAYS


def _client_id(request):
    try:
        return uuid.UUID(str(request.POST.get("client_id", "")))
    except ValueError:
        return None


def _errors(form_or_message):
    if isinstance(form_or_message, str):
        return JsonResponse({"errors": {"__all__": [form_or_message]}}, status=400)
    errors = {name: list(messages) for name, messages in form_or_message.errors.items()}
    return JsonResponse({"errors": errors}, status=400)


def _problem_json(problem, created):
    return {
        "id": problem.pk,
        "number": problem.number,
        "url": problem.get_absolute_url(),
        "created": created,
    }


class FieldPhotoField(PhotoField):
    """At most six photos per record from the field app (resized on the phone)."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)) and len([d for d in data if d]) > MAX_FIELD_PHOTOS:
            raise forms.ValidationError(f"每条记录最多 {MAX_FIELD_PHOTOS} 张照片。")
        return super().clean(data, initial)


class FieldProblemForm(ProblemForm):
    """The problem form with the phone's location; found photos as in the page's form."""

    found_photos = FieldPhotoField(label="发现照片", required=False)

    class Meta(ProblemForm.Meta):
        fields = [*ProblemForm.Meta.fields, "longitude", "latitude", "location_accuracy"]

    def clean_location_accuracy(self):
        value = self.cleaned_data.get("location_accuracy")
        return None if value is None else min(value, 100000)


class FieldRectificationForm(RectificationForm):
    photos = FieldPhotoField(label="整改后照片")


@login_required
@require_GET
def reference(request):
    """What the field app needs offline, only what this user may see and do."""
    user = request.user
    can_create = may(user, "create", Problem)
    data = {"can_create": can_create, "max_photos": MAX_FIELD_PHOTOS, "today": str(today())}
    if can_create:
        data["create_url"] = reverse("environment:field_problem_create")
        data["categories"] = [
            {"id": c.pk, "name": c.name, "group": c.get_group_display(), "days": deadline_days(c)}
            for c in ProblemCategory.objects.filter(is_active=True)
        ]
        data["townships"] = list(Unit.objects.townships().values("id", "name"))
        data["villages"] = list(
            Village.objects.order_by("township_id", "name").values("id", "name", "township_id")
        )
        data["departments"] = list(Unit.objects.departments().values("id", "name"))
    rectify = (
        restrict(Problem, user, "rectify")
        .filter(status__in=OPEN_FOR_UNIT)
        .select_related("township", "village", "category")
        .order_by("deadline", "number")[:MAX_RECTIFY_ROWS]
    )
    data["rectify"] = [
        {
            "id": p.pk,
            "number": p.number,
            "title": p.title,
            "township": p.township.name,
            "description": p.description,
            "deadline": str(p.deadline),
            "status": p.get_status_display(),
            "submit_url": reverse("environment:field_problem_submit", args=[p.pk]),
        }
        for p in rectify
    ]
    return JsonResponse(data)


@login_required
@require_POST
def problem_create(request):
    """新建问题 from the phone: the page's form and checks, idempotent on ``client_id``."""
    if not may(request.user, "create", Problem):
        raise PermissionDenied("只有督查单位可以登记问题。")
    client_id = _client_id(request)
    if client_id is None:
        return _errors("缺少或无效的记录编号（client_id）。")
    existing = Problem.all_objects.filter(client_id=client_id).first()
    if existing is not None:
        return _already(request, existing)
    form = FieldProblemForm(request.POST, request.FILES)
    if not form.is_valid():
        return _errors(form)
    try:
        with transaction.atomic():
            form.instance.client_id = client_id
            problem, _stubborn = form.save_new(request.user)
    except IntegrityError:  # the same record sent twice at once: the first one won
        existing = Problem.all_objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _already(request, existing)
    return JsonResponse(_problem_json(problem, True), status=201)


def _already(request, problem):
    if not may(request.user, "view", problem):
        return JsonResponse({"conflict": "该记录编号已被使用。"}, status=409)
    return JsonResponse(_problem_json(problem, False), status=200)


@login_required
@require_POST
def problem_submit(request, pk):
    """整改 from the phone: ``Problem.submit`` with after-photos; idempotent on ``client_id``."""
    problem = get_object_or_404(Problem.objects.visible_to(request.user), pk=pk)
    if not may(request.user, "rectify", problem):
        raise PermissionDenied("只有责任单位可以提交整改。")
    client_id = _client_id(request)
    if client_id is None:
        return _errors("缺少或无效的记录编号（client_id）。")
    done = Rectification.objects.filter(client_id=client_id, problem=problem).first()
    if done is not None:
        return JsonResponse(_rectification_json(done, False))
    form = FieldRectificationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _errors(form)
    try:
        with transaction.atomic():
            rectification = problem.submit(
                request.user, form.cleaned_data["note"], form.cleaned_data["photos"]
            )
            rectification.client_id = client_id
            rectification.save(update_fields=["client_id"])
    except LoopConflict as error:
        done = Rectification.objects.filter(client_id=client_id, problem=problem).first()
        if done is not None:  # the same submission sent twice at once: the first one won
            return JsonResponse(_rectification_json(done, False))
        now = problem.get_status_display()
        return JsonResponse({"conflict": f"{error.messages[0]}（该问题现在：{now}）"}, status=409)
    except LoopError as error:
        return _errors(error.messages[0])
    except IntegrityError:
        return JsonResponse({"conflict": "该记录编号已被使用。"}, status=409)
    return JsonResponse(_rectification_json(rectification, True), status=201)


def _rectification_json(rectification, created):
    problem = rectification.problem
    return {
        "id": rectification.pk,
        "problem": problem.pk,
        "number": problem.number,
        "url": problem.get_absolute_url(),
        "created": created,
    }


urlpatterns = [
    path("field/reference/", reference, name="field_reference"),
    path("field/problems/", problem_create, name="field_problem_create"),
    path("field/problems/<int:pk>/submit/", problem_submit, name="field_problem_submit"),
]
