"""The views the mediation sections' forms post to: department tasks and reports, QC
notice, conclusion, case meeting, responsibility, escalations, the proposal builder,
approval, sending, withdrawal."""

urlpatterns: list = []
