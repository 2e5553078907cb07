from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "aftersales.privacy"
    verbose_name = "个人信息"

    def ready(self) -> None:
        from . import timeline  # noqa: F401 (registers its timeline event kinds)
