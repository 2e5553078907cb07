"""Factories for the test suite: real rows through the real models."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from aftersales.parties.models import Customer, Order, OrderLine, Product, Store, Team
from aftersales.parties.roles import Role
from aftersales.parties.services import staff_create


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"store{n}")
    name = factory.Sequence(lambda n: f"旗舰店{n}")
    platform = Store.Platform.TMALL


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"顾客{n}")
    # A range no test writes by hand, so sequences never meet a literal phone.
    phone = factory.Sequence(lambda n: f"188{n:08d}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Sequence(lambda n: f"电热水器 {n} 型")
    warranty_days = 365
    three_guarantees = True
    list_price = Decimal("1999.00")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True  # the hook adds a line; the order itself is unchanged

    order_no = factory.Sequence(lambda n: f"T{20260000000 + n}")
    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(CustomerFactory)
    amount_paid = Decimal("1999.00")
    payment_channel = Order.PaymentChannel.ALIPAY
    paid_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    shipped_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=9))
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))

    @factory.post_generation
    def line(self, create, extracted, **kwargs):
        if create and extracted is not False:
            OrderLine.objects.create(
                order=self, product=ProductFactory(), quantity=1, unit_price=self.amount_paid
            )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team{n}")
    name = factory.Sequence(lambda n: f"调解{n}组")


_users = iter(range(10**9))


def make_staff(role: Role, *, team: Team | None = None, username: str | None = None):
    name = username or f"{role.value}{next(_users)}"
    return staff_create(username=name, password="pass-Word-123", role=role, team=team)


def make_dispute(order=None, *, actor=None, **overrides):
    """A dispute taken in through the real intake path (validate_intake + dispute_create)."""
    from aftersales.disputes.intake import validate_intake
    from aftersales.disputes.services import dispute_create

    order = order or OrderFactory()
    data = {
        "channel": "api",
        "order_no": order.order_no,
        "customer": {"name": "张三", "phone": "13812341234"},
        "description": "热水器用了三天就漏水，要求退货退款。",
    }
    data.update(overrides)
    dispute, _ = dispute_create(request=validate_intake(data), actor=actor)
    return dispute


# Daily checks (aftersales.sla.daily_checks): disputes an agent holds, and the execution
# and commitment records the checks read, written through their real services.


def make_held_dispute(agent, *, received_at: dt.datetime, **overrides):
    """A dispute an agent recorded by phone and keeps (its assignee), taken in at
    `received_at`; its own order, so no duplicate flags across tests."""
    data = {"channel": "phone", "received_at": received_at.isoformat()}
    data.update(overrides)
    return make_dispute(OrderFactory(), actor=agent, **data)


def make_execution(dispute, *, at: dt.datetime, kind: str = "refund", **fields):
    from aftersales.fulfilment.services import execution_record

    fields.setdefault("amount", Decimal("199.00"))
    if kind == "refund":
        fields.setdefault("payment_channel", "bank_quickpay")
    return execution_record(dispute=dispute, kind=kind, actor=None, at=at, **fields)


def make_commitment(dispute, *, due_at: dt.datetime, at: dt.datetime, text: str = "明天下午回电"):
    from aftersales.mediation.services import commitment_make

    return commitment_make(dispute=dispute, actor=None, text=text, due_at=due_at, at=at)
