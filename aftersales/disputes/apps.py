from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "aftersales.disputes"
    label = "disputes"
    verbose_name = "售后纠纷"

    def ready(self) -> None:
        from . import timeline  # noqa: F401 (registers its timeline event kinds)
