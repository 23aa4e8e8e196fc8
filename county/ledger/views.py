"""Generic ledger pages: upload → preview → confirm, export of a filtered list, empty template.

Every workstream's ledger is served here by its registry key; only supervisors of
that workstream (and admins) may import, anyone may export what he can see. Confirmed
imports and exports are written to the audit log (previews are not).
"""

import re
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from county.audit import Action, record
from county.registry import registry
from county.scoping import require

from .reading import MAX_UPLOAD_BYTES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHANGES_SHOWN = 300
INLINE_EXPORT_BYTES = 8 * 1024 * 1024  # larger exports are streamed from a temporary file


class UploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），不能超过 "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
            )
        return upload


def _workstream(key):
    workstream = registry.get(key)
    if workstream is None or workstream.ledger is None:
        raise Http404("没有这个台账。")
    return workstream


def _require_importer(user, workstream):
    """Importing is the ledger model's ``import`` action (``county.scoping``)."""
    require(user, "import", workstream.ledger.model, "只有该板块的督查人员可以导入台账。")


def _upload_path(token):
    return Path(settings.MEDIA_ROOT) / "ledger_uploads" / f"{token}.xlsx"


def _back_url(workstream):
    name = workstream.ledger.success_url_name or workstream.url_name
    return reverse(name)


@login_required
def import_upload(request, key):
    workstream = _workstream(key)
    _require_importer(request.user, workstream)
    ledger = workstream.ledger
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = ledger.run_import(data, request.user, dry_run=True, name=upload.name)
        token = ""
        if report.ok:
            token = uuid.uuid4().hex
            path = _upload_path(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            request.session[f"ledger_upload_{token}"] = {"key": key, "name": upload.name}
        return render(
            request,
            "ledger/preview.html",
            _preview_context(workstream, report, upload.name, token),
        )
    return render(request, "ledger/upload.html", {"workstream": workstream, "form": form})


def _preview_context(workstream, report, name, token):
    return {
        "workstream": workstream,
        "report": report,
        "file_name": name,
        "token": token,
        "errors": report.sorted_errors(),
        "changes": report.changes[:CHANGES_SHOWN],
        "more_changes": max(len(report.changes) - CHANGES_SHOWN, 0),
        "kinds": [(kind, counts) for kind, counts in report.by_kind.items()],
        "back_url": _back_url(workstream),
    }


@login_required
@require_POST
def import_confirm(request, key):
    workstream = _workstream(key)
    _require_importer(request.user, workstream)
    token = request.POST.get("token", "")
    meta = request.session.pop(f"ledger_upload_{token}", None) if TOKEN.match(token) else None
    path = _upload_path(token) if meta else None
    if not meta or meta.get("key") != key or not path.exists():
        messages.error(request, "预览已失效或已导入，请重新上传文件。")
        return redirect("ledger:import", key=key)
    data = path.read_bytes()
    report = workstream.ledger.run_import(data, request.user, name=meta["name"])
    path.unlink(missing_ok=True)
    if report.ok:
        record(
            Action.IMPORT,
            request=request,
            target=workstream.ledger.title,
            detail=f"{meta['name']}：{report.summary()}",
        )
        messages.success(request, f"导入完成（{meta['name']}）：{report.summary()}。")
        return redirect(_back_url(workstream))
    return render(
        request, "ledger/preview.html", _preview_context(workstream, report, meta["name"], "")
    )


@login_required
@require_POST
def import_cancel(request, key):
    token = request.POST.get("token", "")
    if TOKEN.match(token) and request.session.pop(f"ledger_upload_{token}", None):
        _upload_path(token).unlink(missing_ok=True)
    messages.info(request, "已取消导入，数据未作任何改动。")
    return redirect("ledger:import", key=key)


def _xlsx_response(data, filename):
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _file_response(handle, filename):
    """The written workbook: in one piece when small, streamed from disk when large."""
    if handle.tell() <= INLINE_EXPORT_BYTES:
        handle.seek(0)
        return _xlsx_response(handle.read(), filename)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


@login_required
def export(request, key):
    ledger = _workstream(key).ledger
    queryset = ledger.filtered_queryset(request.user, request.GET, request)
    filename = f"{ledger.title}-{timezone.localdate():%Y%m%d}.xlsx"
    # The export streams into a temporary file (on disk beyond a few MB), never into memory.
    handle = tempfile.SpooledTemporaryFile(max_size=INLINE_EXPORT_BYTES)
    ledger.export_to(queryset, handle)
    conditions = "；".join(f"{k}={v}" for k, v in request.GET.items() if v and k != "page")
    record(
        Action.EXPORT,
        request=request,
        target=ledger.title,
        detail=f"{filename}（{queryset.count()} 条；筛选：{conditions or '全部'}）",
    )
    return _file_response(handle, filename)


@login_required
def template(request, key):
    ledger = _workstream(key).ledger
    return _xlsx_response(ledger.template(), f"{ledger.title}-模板.xlsx")
