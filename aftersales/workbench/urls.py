from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.dispute_list, name="dispute_list"),
    path("disputes/<str:number>/", views.dispute_detail, name="dispute_detail"),
]
