"""Settings for the test suite: development on (explicitly), a fast password hasher.

Production is the default of aftersales.settings; the tests ask for development here,
as the demo does, and tests of production behaviour start their own process with
production settings."""

import os

os.environ.setdefault("DEBUG", "1")

from aftersales.settings import *  # noqa: F403

# Hashing a password the production way costs ~0.3 s per user; tests make thousands.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
