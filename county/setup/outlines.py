"""乡镇边界: the administrator uploads a GeoJSON file of township outlines (the maps).

One FeatureCollection, a feature per township named in ``properties.name``; checked by
:func:`county.places.parse_outlines` (JSON, Polygon / MultiPolygon, coordinates in range,
bounded size) and applied all or nothing by :func:`county.places.apply_outlines`. The same
as ``manage.py load_township_outlines FILE``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from county import places
from county.audit import Action, record
from county.models import Unit
from county.scoping import may


class OutlinesForm(forms.Form):
    file = forms.FileField(
        label="乡镇边界文件（GeoJSON，.geojson 或 .json）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json", "class": "form-control"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > places.MAX_GEOJSON_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），不能超过 "
                f"{places.MAX_GEOJSON_BYTES // 1024 // 1024} MB。"
            )
        return upload


def load_outlines(data):
    """Parse and apply a GeoJSON file's outlines; returns the number of townships set."""
    outlines = places.parse_outlines(data)
    with transaction.atomic():
        return places.apply_outlines(outlines)


@login_required
def outlines(request):
    if not may(request.user, "setup"):
        raise PermissionDenied("只有系统管理员可以导入乡镇边界。")
    form = OutlinesForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = load_outlines(upload.read())
        except ValidationError as error:
            errors = error.messages
        else:
            record(
                Action.SETUP,
                request=request,
                target="乡镇边界",
                detail=f"{upload.name}：{count} 个乡镇",
            )
            messages.success(request, f"已导入 {count} 个乡镇（街道）的边界。")
            return redirect("setup:outlines")
    townships = Unit.objects.townships().filter(is_active=True).order_by("order", "name")
    return render(
        request,
        "county/setup/outlines.html",
        {
            "form": form,
            "errors": errors,
            "townships": [(t, bool(t.outline)) for t in townships.only("name", "outline")],
        },
    )
