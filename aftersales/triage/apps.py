from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "aftersales.triage"
    label = "triage"
    verbose_name = "分类分级"
