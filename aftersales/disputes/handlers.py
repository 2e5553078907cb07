"""Who is told when a dispute changes: the apps above `disputes` (SLA timers, …) register
handlers for a kind of news in their AppConfig.ready, so this app never imports them.

Handlers run inside the transaction that made the change, in a fixed order (`order`,
then name, whatever the order apps registered in); an error in one propagates and rolls
the whole change back, so a dispute is never changed without the apps that follow it
having seen the change."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .models import Dispute, Event, Task


@dataclass(frozen=True)
class ActionApplied:
    """A lifecycle action was applied (`dispute_apply`): `event` is its timeline event."""

    dispute: Dispute
    event: Event
    at: dt.datetime


@dataclass(frozen=True)
class TasksCreated:
    """Department tasks were added to an existing dispute (routing again after a
    reclassification). Intake's own tasks are told by the intake seam directly."""

    dispute: Dispute
    tasks: tuple[Task, ...]
    at: dt.datetime


@dataclass(frozen=True)
class EventRecorded:
    """A timeline event other than a lifecycle action that the apps following the dispute
    hear (a recorded contact with the customer: the SLA's first-contact clock stops)."""

    dispute: Dispute
    event: Event
    at: dt.datetime


NEWS_KINDS: tuple[type, ...] = (ActionApplied, TasksCreated, EventRecorded)


@dataclass(frozen=True)
class Registered:
    order: int
    name: str
    handler: Callable[[Any], None]


_registry: dict[type, list[Registered]] = {kind: [] for kind in NEWS_KINDS}


def register(news: type, handler: Callable[[Any], None], *, order: int, name: str) -> None:
    """Tell `handler` every `news` (one of NEWS_KINDS). Registering a name again replaces
    the handler of that name (AppConfig.ready may run more than once in tests)."""
    if news not in _registry:
        raise ValueError(f"unknown kind of news: {news!r}")
    kept = [r for r in _registry[news] if r.name != name]
    kept.append(Registered(order, name, handler))
    _registry[news] = sorted(kept, key=lambda r: (r.order, r.name))


def unregister(news: type, name: str) -> None:
    _registry[news] = [r for r in _registry[news] if r.name != name]


def registered(news: type) -> list[Registered]:
    """The handlers of `news`, in the order they are told."""
    return list(_registry[news])


def tell(news: ActionApplied | TasksCreated | EventRecorded) -> None:
    """Run every handler of this news, in order, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("handlers run inside the transaction that changed the dispute")
    for entry in _registry[type(news)]:
        entry.handler(news)
