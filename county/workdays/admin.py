"""Django admin of the calendar table, with the upload of a year's State Council notice.

The change list links to 导入节假日安排: upload an Excel sheet (日期, 类型, 名称) →
every row checked, every problem listed by row (nothing written) → a preview of what is
added or changed → 确认导入 writes it all in one transaction. The checked rows travel
from the preview to the confirmation signed (``django.core.signing``), not re-uploaded.
"""

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from . import importer
from .models import CalendarDay

SIGNING_SALT = "county.workdays.import"
WEEKDAYS = "一二三四五六日"


class UploadForm(forms.Form):
    """The notice as one Excel sheet."""

    file = forms.FileField(
        label="Excel 文件",
        help_text="第一张工作表，表头为“日期”“类型”“名称”；类型填“节假日”或“调休上班”。",
        error_messages={"required": "请选择要上传的 Excel 文件。"},
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Holidays and make-up working days, one row per day; the rest of the year is Mon–Fri."""

    list_display = ["date", "weekday", "kind", "name", "updated_at"]
    list_filter = ["kind", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name"]
    change_list_template = "admin/county/calendarday/change_list.html"

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj):
        return f"星期{WEEKDAYS[obj.date.weekday()]}"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", view, name="county_calendarday_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload → check → preview → confirm; all or nothing."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入节假日安排",
            "columns": importer.COLUMNS,
        }
        form = UploadForm()
        if request.method == "POST" and "confirm" in request.POST:
            try:
                data = signing.loads(request.POST["confirm"], salt=SIGNING_SALT, max_age=3600)
            except signing.BadSignature:
                messages.error(request, "确认信息已失效，请重新上传文件。")
                return redirect("admin:county_calendarday_import")
            rows = importer.from_data(data)
            added, changed = importer.apply(rows)
            from county import audit

            audit.record(
                audit.Action.IMPORT,
                request=request,
                target="节假日安排",
                detail=f"{request.POST.get('file_name', '')}：新增{added}天，修改{changed}天",
            )
            messages.success(request, f"节假日安排已导入：新增{added}天，修改{changed}天。")
            return redirect("admin:county_calendarday_changelist")
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                result = importer.read(upload, upload.name)
                context["result"] = result
                context["file_name"] = upload.name
                if result.ok:
                    context["counts"] = result.counts()
                    context["confirm"] = signing.dumps(
                        importer.as_data(result.rows), salt=SIGNING_SALT
                    )
        context["form"] = form
        return TemplateResponse(request, "admin/county/calendarday/import.html", context)
