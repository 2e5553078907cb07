"""The views the dispute page's own forms post to (dispute_sections): lifecycle actions,
assignment, reclassification, evidence, contact reveal, timers, facts, contacts and notes."""

urlpatterns: list = []
