from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "aftersales.parties"
    label = "parties"
    verbose_name = "客户、订单与员工"
