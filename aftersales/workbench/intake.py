"""新建投诉: the intake form for phone, in-person, letter, e-mail and chat complaints."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def intake(request):
    return HttpResponse("")  # placeholder: the helper replaces it


urlpatterns = [
    path("new/", intake, name="intake"),
]
