"""The workbench's addresses: each page module lists its own (`urlpatterns`)."""

from django.urls import path

from . import (
    aftersale_actions,
    approvals,
    dispute_actions,
    dispute_page,
    inboxes,
    intake,
    language,
    mediation_actions,
    messages_actions,
    proposal_actions,
    queue,
    tokens,
    worklists,
)

app_name = "workbench"
urlpatterns = [
    path("disputes/<str:number>/", dispute_page.dispute_detail, name="dispute_detail"),
    path("disputes/<str:number>/changes", dispute_page.dispute_changes, name="dispute_changes"),
    path("language/", language.set_language, name="set_language"),
]
for module in (
    queue,
    dispute_actions,
    mediation_actions,
    proposal_actions,
    approvals,
    aftersale_actions,
    messages_actions,
    worklists,
    intake,
    inboxes,
    tokens,
):
    urlpatterns += module.urlpatterns
