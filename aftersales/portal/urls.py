"""The customer portal: /portal/…

Two doors to a dispute's pages (aftersales.portal.doors): the link sent with a proposal
(/portal/mediation/<token>/…, that dispute alone) and the signed-in customer's
(/portal/disputes/<number>/…, their own disputes). Every page with an id checks it
through the door: another customer's and a missing one answer the same 404."""

from django.urls import include, path

from . import dispute_page, intake_page, orders_page, privacy_page, proposal_page, sign_in

app_name = "portal"

# The pages of one dispute both doors share (the link's proposal page is its root).
_shared = [
    path("accept/", proposal_page.accept, name="accept"),
    path("reject/", proposal_page.reject, name="reject"),
    path("counter/", proposal_page.counter, name="counter"),
    path("agreement.pdf", proposal_page.agreement_pdf, name="agreement"),
    path("orders/<str:order_number>/return/", orders_page.return_shipment, name="order_return"),
    path("orders/<str:order_number>/arrival/", orders_page.arrival, name="order_arrival"),
    path("orders/<str:order_number>/delivery/", orders_page.delivery, name="order_delivery"),
]


def _named(prefix: str, patterns: list) -> list:
    return [path(str(p.pattern), p.callback, name=f"{prefix}_{p.name}") for p in patterns]


urlpatterns = [
    path("", sign_in.home, name="home"),
    path("sign-in/", sign_in.sign_in, name="sign_in"),
    path("sign-in/code/", sign_in.code, name="code"),
    path("sign-out/", sign_in.sign_out, name="sign_out"),
    path("language/", sign_in.set_language, name="language"),
    path("new/", intake_page.new_complaint, name="new"),
    path("privacy/", privacy_page.privacy, name="privacy"),
    path("privacy/export/", privacy_page.export, name="privacy_export"),
    path("privacy/erasure/", privacy_page.erasure, name="privacy_erasure"),
    path("disputes/", dispute_page.dispute_list, name="disputes"),
    path("disputes/<str:number>/", dispute_page.dispute_view, name="dispute"),
    path(
        "disputes/<str:number>/",
        include(
            [
                path("proposal/", proposal_page.proposal_view, name="dispute_proposal"),
                path("messages/", dispute_page.message_post, name="dispute_message"),
                path("rating/", dispute_page.rate, name="dispute_rating"),
                path("withdraw/", dispute_page.withdraw, name="dispute_withdraw"),
                path(
                    "evidence/<int:evidence_id>/",
                    dispute_page.evidence_file,
                    name="dispute_evidence",
                ),
                *_named("dispute", _shared),
            ]
        ),
    ),
    path("mediation/<str:token>/", proposal_page.proposal_view, name="link"),
    path("mediation/<str:token>/", include(_named("link", _shared))),
]
