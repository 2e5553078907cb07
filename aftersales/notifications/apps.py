from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "aftersales.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # The timeline's event kind of a message that will not reach the customer.
        from . import timeline  # noqa: F401
