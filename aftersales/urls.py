from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from aftersales.accounts import PasswordResetView, reset_enabled
from aftersales.api.api import api

admin.site.site_header = "售后纠纷管理系统"
admin.site.site_title = "售后纠纷管理系统"
admin.site.index_title = "后台管理"

# Password reset before django.contrib.auth.urls, so these views answer its names:
# 404 while PASSWORD_RESET_ENABLED is off, and the request is rate-limited.
password_reset = [
    path("password_reset/", reset_enabled(PasswordResetView.as_view()), name="password_reset"),
    path(
        "password_reset/done/",
        reset_enabled(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        reset_enabled(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        reset_enabled(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/workbench/", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include(password_reset)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("workbench/", include("aftersales.workbench.urls")),
    path("portal/", include("aftersales.portal.urls")),
]
