"""The views the after-sale order and follow-up forms post to."""

urlpatterns: list = []
