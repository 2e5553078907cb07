from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "aftersales.fulfilment"
    label = "fulfilment"
    verbose_name = "执行"

    def ready(self) -> None:
        from . import timeline  # noqa: F401 (registers its timeline event kinds)
