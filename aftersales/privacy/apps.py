from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "aftersales.privacy"
    verbose_name = "个人信息"
