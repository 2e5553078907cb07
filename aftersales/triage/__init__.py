"""Triage: classify a complaint's text into a category, severity and escalation risk.

Pure modules (`rules`, `classifier`, `training`) need no database; intake, routing and
retraining with agents' feedback call them through `classify` / `train`.
"""
