"""Pages of follow-up problems (后半篇文章), micro-innovations and typical experiences."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Experience


@login_required
def experiences(request):
    rows = Experience.objects.visible_to(request.user).select_related("unit", "item")
    return render(request, "reforms/experience_list.html", {"rows": rows})
