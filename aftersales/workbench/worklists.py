"""Department work lists: 财务付款 (payouts), 退货收货 (returns), shipments, 运费险."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def payouts(request):
    return HttpResponse("")  # placeholder: the helper replaces it


@login_required
def returns(request):
    return HttpResponse("")  # placeholder: the helper replaces it


urlpatterns = [
    path("payouts/", payouts, name="payouts"),
    path("returns/", returns, name="returns"),
]
