from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "aftersales.fulfilment"
    label = "fulfilment"
    verbose_name = "执行"

    def ready(self) -> None:
        from aftersales.disputes import handlers as news

        from . import handlers, timeline  # noqa: F401 (timeline registers its event kinds)

        # Before the SLA timers (order 100): a refused completion changes nothing.
        news.register(
            news.ActionApplied,
            handlers.refuse_while_orders_open,
            order=10,
            name="fulfilment.orders_open",
        )
