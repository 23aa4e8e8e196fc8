"""Pages of the county core: home, 我的待办, the cockpit, the leader's page, login."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from . import cockpit as cockpit_data
from .choices import Role
from .forms import LoginForm
from .inbox import sent_back_rows
from .management.commands.load_demo import DEMO_PASSWORD
from .models import User
from .registry import registry
from .status import LIGHT_TONES, light_order, today

TODO_LIMIT_PER_KIND = 200
LEADER_PAGE_SIZE = 50  # rows of the leader's own page


@login_required
def home(request):
    """Leaders land on their own page, supervisors on the cockpit, everyone else on 我的待办."""
    if request.user.role == Role.LEADER and request.user.leader_id:
        return redirect("county:leader")
    if request.user.role in (Role.LEADER, Role.SUPERVISOR) or request.user.is_county_admin:
        return redirect("county:cockpit")
    return redirect("county:todo")


def todo_groups(user, on=None):
    """The user's open dated work, one group per registered kind of work.

    Staff and supervisors see their unit's work; a leader sees his own work, as his page
    lists it (what he leads, and what his liaison townships own). Each group is ``{"key",
    "label", "icon", "rows", "truncated", "total", "list_url"}`` — ``total`` counts every
    row, also those past the shown ones, and ``list_url`` opens exactly them (the kind's
    list, ``DatedWork.list_url``) — and each row ``{"title", "parent", "url", "deadline",
    "light", "tone"}``, so another source of work (what was sent back) can be put in front
    as one more group. Within a group overdue work comes first, then by deadline; groups
    with work come before the empty ones. One query per registered kind, whatever the number
    of records (and one more for a kind with more than it shows): the parent each row names
    comes with the rows (``DatedWork.select_related``).
    """
    on = on or today()
    groups = []
    townships = None
    for workstream, dated in registry.dated_work():
        if user.unit_id:
            qs = dated.for_unit(user.unit_id)
            list_url = dated.list_url(unit_id=user.unit_id)
        elif user.leader_id:
            if townships is None:
                townships = list(user.leader.liaison_townships.values_list("pk", flat=True))
            qs = dated.of_leader(user.leader_id, townships)
            list_url = dated.list_url(leader_id=user.leader_id)
        else:
            continue
        if dated.select_related:
            qs = qs.select_related(*dated.select_related)
        records = list(qs.order_by(dated.deadline_field, "pk")[: TODO_LIMIT_PER_KIND + 1])
        rows = []
        for record in records[:TODO_LIMIT_PER_KIND]:
            deadline = getattr(record, dated.deadline_field)
            light = dated.light(record, on)  # the declared rule (county.status)
            rows.append(
                {
                    "title": getattr(record, dated.title_field),
                    "parent": dated.parent(record),
                    "url": dated.url(record.pk),
                    "deadline": deadline,
                    "light": light,
                    "tone": LIGHT_TONES[light],
                }
            )
        rows.sort(key=lambda row: (light_order(row["light"]), row["deadline"]))
        truncated = len(records) > TODO_LIMIT_PER_KIND
        groups.append(
            {
                "key": dated.key,
                "label": f"{workstream.label} · {dated.label}",
                "icon": workstream.icon,
                "rows": rows,
                "truncated": truncated,
                "total": qs.count() if truncated else len(rows),
                "list_url": list_url,
            }
        )
    groups.sort(key=lambda group: not group["rows"])  # stable: registry order otherwise
    return groups


@login_required
def todo(request):
    groups = todo_groups(request.user)
    context = {
        "groups": [g for g in groups if g["rows"]],
        "empty_groups": [g for g in groups if not g["rows"]],
        "total": sum(g["total"] for g in groups),
        "today": today(),
        "sent_back": sent_back_rows(request.user),  # 退回给你的, shown first
    }
    return render(request, "county/todo.html", context)


@login_required
def cockpit(request):
    """领导驾驶舱: every workstream's panels (figures and charts) for the chosen period."""
    period = cockpit_data.period_for(request.GET.get("period"))
    panels = cockpit_data.panels(request.user, period)
    context = {
        "cells": cockpit_data.layout(panels),
        "charts": cockpit_data.chart_payload(panels),
        "period": period,
        "periods": cockpit_data.PERIODS.items(),
        "map_layers": cockpit_data.map_layers(),
    }
    return render(request, "county/cockpit.html", context)


@login_required
def leader(request):
    """A county leader's own page: the work he leads or liaises with, late first."""
    if not request.user.leader_id:
        return redirect("county:cockpit")
    me = request.user.leader
    data = cockpit_data.leader_page(me, request.user)
    rows, summary = data["rows"], data["summary"]
    paginator = Paginator(rows, LEADER_PAGE_SIZE)  # late first, so page 1 is what is late
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "me": me,
        "rows": rows,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "capped": cockpit_data.LEADER_LIMIT_PER_KIND,
        "townships": data["townships"],
        "summary": summary,
        "total": sum(s["total"] for s in summary),
        "late": sum(s["late"] for s in summary),
        "requests": data["requests"],
        "today": today(),
    }
    return render(request, "county/leader.html", context)


class LoginView(auth_views.LoginView):
    """Chinese login page; in the demo (DEBUG) it lists the demo accounts."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            context["demo_accounts"] = demo_accounts()
            context["demo_password"] = DEMO_PASSWORD
        return context


def demo_accounts():
    """One demo login for each of the eight demo roles, for the login page of the demo."""
    users = User.objects.filter(is_active=True).select_related("unit", "leader")
    supervisors = users.filter(role=Role.SUPERVISOR)
    wanted = [
        ("县农业农村局（部门）", users.filter(role=Role.STAFF, unit__name="县农业农村局")),
        ("城关镇（乡镇）", users.filter(role=Role.STAFF, unit__name="城关镇")),
        ("县委改革办督查（全面深化改革）", supervisors.filter(unit__name="县委改革办")),
        ("县自然资源局督查（国土空间规划）", supervisors.filter(unit__name="县自然资源局")),
        ("县农业农村局督查（撂荒地整治）", supervisors.filter(unit__name="县农业农村局")),
        ("县住建局督查（城乡环境）", supervisors.filter(unit__name="县住房和城乡建设局")),
        ("县级领导", users.filter(role=Role.LEADER).order_by("leader__order")),
        ("系统管理员", users.filter(role=Role.ADMIN)),
    ]
    return [(label, qs.first()) for label, qs in wanted if qs.first()]
