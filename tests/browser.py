"""What the page tests share: Debian's Chromium (never a downloaded browser), its headless
flags, and the password tests.factories.make_staff gives every user."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pass-Word-123"  # tests.factories.make_staff
