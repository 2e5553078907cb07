from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TriageConfig(AppConfig):
    name = "aftersales.triage"
    label = "triage"
    verbose_name = "分类分级"

    def ready(self) -> None:
        from . import timeline  # noqa: F401 (registers its timeline event kinds)
        from .models import RoutingRule
        from .selectors import forget_routing_rules

        post_save.connect(forget_routing_rules, sender=RoutingRule)
        post_delete.connect(forget_routing_rules, sender=RoutingRule)
