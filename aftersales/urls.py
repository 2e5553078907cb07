from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from aftersales.api.api import api

admin.site.site_header = "售后纠纷管理系统"
admin.site.site_title = "售后纠纷管理系统"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", RedirectView.as_view(url="/workbench/", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("workbench/", include("aftersales.workbench.urls")),
]
