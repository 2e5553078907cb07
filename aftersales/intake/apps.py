from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """No models: the intake seam, the one place that calls triage, SLA and notifications
    when complaints come in (one at a time, in bulk, from a file); `aftersales import`."""

    name = "aftersales.intake"
    label = "intake"
    verbose_name = "受理"
