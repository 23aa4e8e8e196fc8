"""``{% may "action" obj as flag %}``: the templates' one door to :func:`county.scoping.may`.

A page shows a button, a form or a navigation item only when the hook grants the action its
POST will check, so nothing is offered that is then refused.  Without ``obj`` the action is a
site action (``SITE_PERMISSIONS``: ``briefing``, ``setup``, ``audit`` …); ``obj`` may be a
record or a model.
"""

from django import template

from county import scoping

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action, obj=None):
    """Whether the page's user may take ``action`` (on ``obj``); a decision also refuses the
    user's own request and, like the POST, his own unit's work."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == "decide" and obj is not None and not isinstance(obj, type):
        if getattr(obj, "requested_by_id", None) == user.pk:
            return False  # the one who asks never decides
        return not scoping.decide_refusal(user, obj)
    return scoping.may(user, action, obj)
