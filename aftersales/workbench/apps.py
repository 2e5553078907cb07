from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "aftersales.workbench"
    label = "workbench"
    verbose_name = "客服工作台"
