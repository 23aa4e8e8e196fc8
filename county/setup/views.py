"""The administrator's 县情初始化 pages (upload → preview → confirm) and the password change.

The upload is kept under MEDIA_ROOT only between the preview and the confirmation, like
the ledger import. The one-time passwords of new accounts never touch the disk or the
database in clear: the confirmation page embeds the passwords workbook as a data: link,
sent once with ``Cache-Control: no-store``; leaving or reloading the page loses it.
"""

import base64
import re
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from county.audit import Action, record
from county.forms import BootstrapFormMixin
from county.ledger.reading import MAX_UPLOAD_BYTES
from county.login_security import PasswordChangeThrottle
from county.scoping import may

from .apply import record_run, run_setup
from .passwords import password_sheet
from .schema import SHEETS
from .template import TEMPLATE_NAME, county_content, demo_workbook, write_setup_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHANGES_SHOWN = 500
SESSION_KEY = "county_setup_{}"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="县情工作簿（.xlsx）",
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


def _require_admin(user):
    if not may(user, "setup"):
        raise PermissionDenied("只有系统管理员可以初始化县情和批量创建账号。")


def _upload_path(token):
    return Path(settings.MEDIA_ROOT) / "setup_uploads" / f"{token}.xlsx"


def _xlsx_response(data, filename):
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _report_context(report, name, token=""):
    return {
        "report": report,
        "file_name": name,
        "token": token,
        "errors": report.sorted_errors(),
        "changes": report.changes[:CHANGES_SHOWN],
        "more_changes": max(len(report.changes) - CHANGES_SHOWN, 0),
        "kinds": list(report.by_kind.items()),
    }


@login_required
def upload(request):
    _require_admin(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data = file.read()
        report = run_setup(data, user=request.user, name=file.name, dry_run=True)
        token = ""
        if report.ok:
            token = uuid.uuid4().hex
            path = _upload_path(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            request.session[SESSION_KEY.format(token)] = {"name": file.name}
        return render(
            request, "county/setup/preview.html", _report_context(report, file.name, token)
        )
    return render(request, "county/setup/upload.html", {"form": form, "sheets": SHEETS})


@never_cache
@login_required
@require_POST
def confirm(request):
    _require_admin(request.user)
    token = request.POST.get("token", "")
    meta = request.session.pop(SESSION_KEY.format(token), None) if TOKEN.match(token) else None
    path = _upload_path(token) if meta else None
    if not meta or not path.exists():
        messages.error(request, "预览已失效或已导入，请重新上传文件。")
        return redirect("setup:upload")
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    report = run_setup(data, user=request.user, name=meta["name"])
    if not report.ok:
        return render(request, "county/setup/preview.html", _report_context(report, meta["name"]))
    record_run(report, meta["name"], request=request)
    context = _report_context(report, meta["name"])
    if report.passwords:
        sheet = password_sheet(report.passwords)
        context["passwords_href"] = f"data:{XLSX_TYPE};base64,{base64.b64encode(sheet).decode()}"
        context["passwords_name"] = f"初始密码-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    report.passwords = []
    return render(request, "county/setup/done.html", context)  # never_cache: no-store


@login_required
@require_POST
def cancel(request):
    _require_admin(request.user)
    token = request.POST.get("token", "")
    if TOKEN.match(token) and request.session.pop(SESSION_KEY.format(token), None):
        _upload_path(token).unlink(missing_ok=True)
    messages.info(request, "已取消，县情数据未作任何改动。")
    return redirect("setup:upload")


@login_required
def template(request):
    _require_admin(request.user)
    return _xlsx_response(demo_workbook(), TEMPLATE_NAME)


@login_required
def export(request):
    _require_admin(request.user)
    data = write_setup_workbook(county_content())
    return _xlsx_response(data, f"县情-{timezone.localdate():%Y%m%d}.xlsx")


class ChinesePasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    """Django's password change, refusing to keep the old password."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error("new_password2", "新密码不能与原密码相同。")
        return cleaned


class PasswordChangeView(PasswordChangeThrottle, auth_views.PasswordChangeView):
    """修改密码; the first change of a one-time initial password clears the obligation.

    Wrong old passwords are counted and locked like wrong logins (``PasswordChangeThrottle``).
    """

    form_class = ChinesePasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        user = form.user
        forced = user.must_change_password
        user.must_change_password = False
        response = super().form_valid(form)  # saves the user, keeps the session
        record(
            Action.ACCOUNTS,
            request=self.request,
            target=user.get_username(),
            detail="首次登录修改初始密码" if forced else "修改密码",
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
