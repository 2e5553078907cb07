"""我的个人信息: the signed-in customer downloads everything held about them and asks for
its erasure, which waits in the admins' queue (aftersales.privacy.requests)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.privacy.requests import customer_export, erasure_request

from . import limits
from .doors import signed_in_only
from .forms import ErasureForm, submit


def _page(request, form=None, *, status: int = 200):
    return render(
        request,
        "portal/privacy.html",
        {"erasure_form": form or ErasureForm(prefix="erasure")},
        status=status,
    )


@require_GET
@signed_in_only
def privacy(request):
    return _page(request)


@require_GET
@signed_in_only
@limits.limited
def export(request):
    data = customer_export(request.customer)
    response = HttpResponse(data.content, content_type=data.content_type)
    response["Content-Disposition"] = f'attachment; filename="{data.filename}"'
    return response


@require_POST
@signed_in_only
def erasure(request):
    form = ErasureForm(request.POST, prefix="erasure")
    if submit(
        form,
        lambda d: erasure_request(
            customer=request.customer, reason=d["reason"], ip=limits.ip_of(request) or None
        ),
    ):
        messages.success(request, _("已收到您的删除申请，管理员审核后会通知您结果。"))
        return redirect("portal:privacy")
    return _page(request, form, status=422)
