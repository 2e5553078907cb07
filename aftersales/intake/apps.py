from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """No models: the intake seam, the one place that calls triage, SLA and notifications
    when complaints come in (one at a time, in bulk, from a file, from the customer's
    portal, with the customer's proof of identity and their messages); `aftersales import`."""

    name = "aftersales.intake"
    label = "intake"
    verbose_name = "受理"

    def ready(self) -> None:
        # The timeline's event kinds of customer messages and reopen requests.
        from . import customer_messages  # noqa: F401
