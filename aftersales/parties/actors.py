"""Who acts, when it is not a logged-in member of staff: the system itself (the worker's
scans, imports, automatic triage and routing, the demo) and a customer through their own
door. Services take one of these or a user as `actor`; `None` is never an actor, so a
forgotten one is refused (aftersales.disputes.permissions) instead of passing unchecked.

Low in the layers on purpose: every domain app may import it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own. Never the actor of a request: the API, the workbench
    and the portal always act as the user (or customer) who asked."""

    code: str = "system"  # what the timeline stores as `actor_label` (rendered as `label`)
    pk: None = None  # never a row: foreign keys to the actor record None
    is_authenticated = False  # holds no role (aftersales.parties.selectors.roles_of)
    is_active = True

    @property
    def label(self) -> str:
        return str(gettext_lazy("系统"))

    def get_username(self) -> str:
        return self.code

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor()


@dataclass(frozen=True)
class CustomerActor:
    """A customer acting through their own door (the customer link, the portal) on their
    own dispute: answers a proposal, withdraws the complaint."""

    customer_id: int
    name: str = ""
    pk: None = None
    is_authenticated = False
    is_active = True

    @property
    def label(self) -> str:
        return str(gettext_lazy("顾客 %(name)s") % {"name": self.name})

    def get_username(self) -> str:
        return f"customer:{self.customer_id}"

    def __str__(self) -> str:
        return self.label


def customer_actor(customer) -> CustomerActor:
    """The actor for `customer` (a parties.Customer)."""
    return CustomerActor(customer_id=customer.pk, name=customer.name)


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def is_customer(actor) -> bool:
    return isinstance(actor, CustomerActor)


def user_of(actor):
    """The user to record in a foreign key to the acting user: the user itself, or None
    for the system and for customers (their name goes into the label)."""
    if actor is None:
        raise TypeError("an actor is required: a user, SYSTEM or a customer actor")
    return None if isinstance(actor, SystemActor | CustomerActor) else actor


def label_of(actor) -> str:
    """What the timeline stores as who acted: a staff member's display name or username,
    "system" for the system (a code; pages render it as 系统), the customer's label."""
    if actor is None:
        raise TypeError("an actor is required: a user, SYSTEM or a customer actor")
    if isinstance(actor, SystemActor):
        return actor.code
    if isinstance(actor, CustomerActor):
        return actor.label
    profile = getattr(actor, "staff_profile", None)
    return (profile.display_name if profile else "") or actor.get_username()
