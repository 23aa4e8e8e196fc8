"""个人信息: who one is, what one supervises or liaises with, one's e-mail address.

The e-mail address is the only thing a user enters about himself here; it is checked to be
an address and stored, nothing more (the daily digest goes to it). The password is changed
on Django's own page (``password_change``, Chinese templates under registration/).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .choices import Role
from .models import Supervision, Unit
from .registry import registry
from .scoping import ASSESSMENT, ASSESSMENT_LABEL


class EmailAddressForm(forms.Form):
    """One's e-mail address for the daily reminder digest; empty removes it."""

    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        max_length=254,
        help_text="用于接收每天的督办提醒汇总邮件；留空即删除邮箱。",
        error_messages={"invalid": "请输入有效的电子邮箱地址，例如 zhangsan@example.com。"},
        widget=forms.EmailInput(
            attrs={"class": "form-control", "placeholder": "例如 zhangsan@example.com"}
        ),
    )


def _supervision(user):
    """Each workstream the user's unit supervises, with the other units supervising it."""
    if user.role != Role.SUPERVISOR or not user.unit_id:
        return []
    keys = sorted(user.supervised_workstreams, key=lambda k: getattr(registry.get(k), "order", 0))
    others = {}
    rows = Supervision.objects.filter(workstream__in=keys).exclude(unit_id=user.unit_id)
    for row in rows.select_related("unit"):
        others.setdefault(row.workstream, []).append(row.unit.name)
    rows = []
    for key in keys:
        workstream = registry.get(key)
        rows.append(
            {
                "label": ASSESSMENT_LABEL if key == ASSESSMENT else registry.label(key),
                "url_name": workstream.url_name if workstream else "",
                "icon": workstream.icon if workstream else "bi-folder",
                "with": sorted(others.get(key, [])),
            }
        )
    return rows


def _context(user, form=None):
    return {
        "supervision": _supervision(user),
        "supervised_units": {
            "departments": Unit.objects.departments().filter(is_active=True).count(),
            "townships": Unit.objects.townships().filter(is_active=True).count(),
        }
        if user.role == Role.SUPERVISOR
        else None,
        "townships": list(user.leader.liaison_townships.order_by("order", "name"))
        if user.leader_id
        else [],
        "email_form": form or EmailAddressForm(initial={"email": user.email}),
    }


@login_required
def profile(request):
    return render(request, "county/profile.html", _context(request.user))


@login_required
@require_POST
def email_address(request):
    """Store the address entered (checked to be an e-mail address), or remove it."""
    form = EmailAddressForm(request.POST)
    if not form.is_valid():
        return render(request, "county/profile.html", _context(request.user, form), status=400)
    user = request.user
    user.email = form.cleaned_data["email"]
    user.save(update_fields=["email"])
    if user.email:
        messages.success(request, f"电子邮箱已保存：{user.email}。")
    else:
        messages.success(request, "电子邮箱已删除，不再发送邮件提醒。")
    return redirect("county:profile")
