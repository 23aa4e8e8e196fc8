"""The field app's (``/field/``) side of 撂荒地整治: the parcels to visit and 巡查 sync.

A 巡查 recorded offline on the phone is sent later with the id the phone gave it
(``client_id``): a retry answers 200 with the record that already arrived and creates
nothing. The checks are the parcel page's: the parcel must be one the user may change
(``county.scoping``, as ``InspectionCreate``) and the form is ``InspectionForm``.
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from county.concurrency import lock
from county.scoping import restrict

from .forms import InspectionForm
from .models import Inspection, Parcel

MAX_PARCELS = 2000


@login_required
@require_GET
def reference(request):
    """The parcels this user may record 巡查 on (their township's, or all for supervisors)."""
    parcels = (
        restrict(Parcel, request.user, "change")
        .select_related("township", "village")
        .order_by("township__name", "code")[:MAX_PARCELS]
    )
    return JsonResponse(
        {
            "today": str(timezone.localdate()),
            "parcels": [
                {
                    "id": p.pk,
                    "code": p.code,
                    "township": p.township.name,
                    "village": p.village.name if p.village_id else "",
                    "area": str(p.area),
                    "status": p.get_status_display(),
                    "inspect_url": reverse("abandoned_land:field_inspection_create", args=[p.pk]),
                }
                for p in parcels
            ],
        }
    )


def _inspection_json(inspection, created):
    return {
        "id": inspection.pk,
        "parcel": inspection.parcel_id,
        "url": inspection.parcel.get_absolute_url(),
        "created": created,
    }


@login_required
@require_POST
def inspection_create(request, pk):
    """巡查 from the phone on parcel ``pk`` (404 when the user may not change it)."""
    parcel = get_object_or_404(restrict(Parcel, request.user, "change"), pk=pk)
    try:
        client_id = uuid.UUID(str(request.POST.get("client_id", "")))
    except ValueError:
        return JsonResponse(
            {"errors": {"__all__": ["缺少或无效的记录编号（client_id）。"]}}, status=400
        )
    done = Inspection.objects.filter(client_id=client_id, parcel=parcel).first()
    if done is not None:
        return JsonResponse(_inspection_json(done, False))
    form = InspectionForm(request.POST)
    if not form.is_valid():
        errors = {name: list(messages) for name, messages in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    try:
        with transaction.atomic():
            lock(parcel)
            inspection = Inspection.objects.create(
                parcel=parcel,
                inspected_on=form.cleaned_data["inspected_on"],
                finding=form.cleaned_data["finding"],
                status_before=parcel.status,
                status_after=parcel.status,
                user=request.user,
                client_id=client_id,
            )
    except IntegrityError:  # the same record sent twice at once: the first one won
        done = Inspection.objects.filter(client_id=client_id, parcel=parcel).first()
        if done is None:
            return JsonResponse({"conflict": "该记录编号已被使用。"}, status=409)
        return JsonResponse(_inspection_json(done, False))
    return JsonResponse(_inspection_json(inspection, True), status=201)


urlpatterns = [
    path("field/reference/", reference, name="field_reference"),
    path("field/parcels/<int:pk>/inspect/", inspection_create, name="field_inspection_create"),
]
