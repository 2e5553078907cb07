"""What every workbench page's layout shows: the navigation for the user's roles, the
inbox's unread count, the languages to switch between and the one in use."""

from django.conf import settings

from aftersales.notifications.selectors import unread_count
from aftersales.parties.selectors import roles_of

from .nav import nav_for


def workbench(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not roles_of(user):
        return {"nav": [], "languages": settings.LANGUAGES}
    if not request.path.startswith("/workbench/"):
        return {"languages": settings.LANGUAGES}
    unread = unread_count(user)
    return {
        "nav": nav_for(user, unread=unread),
        "unread": unread,
        "languages": settings.LANGUAGES,
        "nav_active": getattr(request, "nav_active", ""),
    }
