from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "aftersales.fulfilment"
    label = "fulfilment"
    verbose_name = "执行"
