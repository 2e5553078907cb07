from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "aftersales.mediation"
    label = "mediation"
    verbose_name = "调查与调解"
