from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "aftersales.mediation"
    label = "mediation"
    verbose_name = "调查与调解"

    def ready(self) -> None:
        from aftersales.notifications.delivery import register_renderer

        from . import timeline  # noqa: F401 (registers its timeline event kinds)
        from .proposal_delivery import render_proposal

        # The proposal message's link and code are minted when it is delivered.
        register_renderer("proposal", render_proposal)
