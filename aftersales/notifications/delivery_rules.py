"""When customer messages are delivered and tried again. Pure: times in, times out."""

import datetime as dt

# A message left `sending` this long is settled by the next delivery run (its worker
# died mid-send). Channel adapters give up on a gateway call well within it.
SENDING_TIMEOUT = dt.timedelta(minutes=5)
# A delivery the channel refused is tried again after 1, 4, 16 and 64 minutes; the fifth
# refusal is final (the message stays `failed`, `retry_at` empty).
MAX_ATTEMPTS = 5
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_FACTOR = 4
# The scheduled sweep delivers pending messages written within this window; older ones
# (an acknowledgement nobody sent for days says nothing useful any more) are left alone.
PENDING_WINDOW = dt.timedelta(days=3)
# Messages the sweep reads at a time; it takes batch after batch while messages are due,
# for at most SWEEP_SECONDS of the minute (the rest wait for the next minute's run).
BATCH = 100
SWEEP_SECONDS = 45


def retry_time(*, attempt: int, failed_at: dt.datetime) -> dt.datetime | None:
    """When to try again after the channel refused attempt number `attempt` (1-based), or
    None when that was the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    return failed_at + RETRY_FIRST * RETRY_FACTOR ** (attempt - 1)


# Delivery receipts (SMS): asked for texts sent within this window, each at most once
# per RECEIPT_EVERY; a text with no receipt after the window stays `sent`.
RECEIPT_WINDOW = dt.timedelta(days=2)
RECEIPT_EVERY = dt.timedelta(minutes=5)
