"""待我审批: proposals and major-incident applications waiting for the user, oldest first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def approvals(request):
    return HttpResponse("")  # placeholder: the helper replaces it


urlpatterns = [
    path("approvals/", approvals, name="approvals"),
]
