"""Customer-message channels as a real SMS gateway behaves, for the delivery tests (set
with settings.CUSTOMER_CHANNEL). Each records what it took in channels.outbox, where the
tests read it as the customer's phone would."""

import time

from aftersales.notifications import channels
from aftersales.notifications.channels import ChannelError, MemoryChannel


class Killed(BaseException):
    """The worker process dies here (nothing after this line runs, nothing commits)."""


class DiesAfterTheGatewayTookIt(MemoryChannel):
    """A gateway that answers status queries by key; the worker dies right after the
    gateway took the text."""

    def send(self, delivery):
        super().send(delivery)
        raise Killed


class DiesBeforeTheGatewayTookIt(MemoryChannel):
    def send(self, delivery):
        raise Killed


DIE_ON = {"delivery": 0}  # the worker dies after the gateway took the n-th text from now


class DiesMidBatch(MemoryChannel):
    def send(self, delivery):
        super().send(delivery)
        if DIE_ON["delivery"]:
            DIE_ON["delivery"] -= 1
            if DIE_ON["delivery"] == 0:
                raise Killed


class BlindGateway:
    """A gateway that takes texts but cannot say afterwards whether it took one."""

    def send(self, delivery):
        channels.outbox.append(delivery)


class BlindDiesAfterTheGatewayTookIt(BlindGateway):
    def send(self, delivery):
        super().send(delivery)
        raise Killed


class RefusingGateway:
    def send(self, delivery):
        raise ChannelError("gateway refused: quota exceeded")


class SlowGateway(MemoryChannel):
    """A gateway taking a while to answer, so two workers overlap."""

    def send(self, delivery):
        time.sleep(0.05)
        super().send(delivery)
