"""What may stand on a dispute's timeline: the kinds of event and the texts the system
writes on them, each registered by the app that writes it, so adding a kind needs no
change here and no migration (`Event.kind` is a plain code).

A kind is a member of a `TextChoices` class the app decorates with `@event_kinds`: its
code is stored, its `gettext_lazy` label is shown in the reader's language. A text the
system writes (a duplicate's reason, an SLA crossing) is a `ReasonTemplate`: the event
stores its code and parameters and every reader sees it in their own language. Text
people typed is stored and shown as typed. No ORM here: the model reads labels from it."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import TextChoices
from django.utils.functional import Promise

# `Event.kind` is a CharField of this length.
KIND_MAX_LENGTH = 30
# Where an event's payload holds the system text it carries.
REASON_CODE = "reason_code"
REASON_PARAMS = "reason_params"

_kinds: dict[str, TextChoices] = {}
_reasons: dict[str, "ReasonTemplate"] = {}


class UnknownEventKind(ValueError):
    """A kind no app registered: the writer refuses it (a typo would otherwise be stored
    and never shown with a label)."""


def _origin(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def event_kinds(choices: type[TextChoices]) -> type[TextChoices]:
    """Class decorator: every member of `choices` becomes a timeline event kind. A code
    may belong to one class only (two apps must not share a word)."""
    for member in choices:
        code = member.value
        if not code or len(code) > KIND_MAX_LENGTH:
            raise ImproperlyConfigured(f"Event kind {code!r}: 1 to {KIND_MAX_LENGTH} chars")
        known = _kinds.get(code)
        # Re-importing the same module (a reload) registers the same class again.
        if known is not None and _origin(known) != _origin(choices):
            raise ImproperlyConfigured(
                f"Event kind {code!r} is registered by {_origin(known)} and {_origin(choices)}"
            )
        _kinds[code] = member
    return choices


def event_kind(code: str) -> TextChoices:
    """The registered kind for `code`; `UnknownEventKind` when no app registered it."""
    try:
        return _kinds[str(code)]
    except KeyError:
        raise UnknownEventKind(code) from None


def is_event_kind(code: str) -> bool:
    return str(code) in _kinds


def kind_label(code: str) -> str:
    """The kind's label in the active language; the code itself for a kind no longer
    registered (an event written by a removed feature still shows something)."""
    member = _kinds.get(str(code))
    return str(member.label) if member is not None else str(code)


def registered_kinds() -> dict[str, TextChoices]:
    return dict(_kinds)


Param = str | int | float | bool | None


@dataclass(frozen=True)
class Reason:
    """A system text to store on an event: its template's code and the parameters."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_payload(self) -> dict[str, Any]:
        return {REASON_CODE: self.code, REASON_PARAMS: dict(self.params)}

    def render(self) -> str:
        """In the active language."""
        return _reasons[self.code].render(self.params)


class ReasonTemplate:
    """A registered system text: `gettext_lazy` text with `%(name)s` parameters. Calling
    it gives the `Reason` to store. `labels` turns a parameter stored as a code into its
    label when rendered (a status code → 受理 / Received), so the parameter too is shown
    in the reader's language."""

    def __init__(
        self,
        code: str,
        text: Promise | str,
        labels: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.code = code
        self.text = text
        self.labels = dict(labels or {})

    def __call__(self, **params: Param) -> Reason:
        for name, value in params.items():
            if not isinstance(value, Param):
                raise TypeError(f"Reason {self.code!r}: {name} must be a plain value")
        reason = Reason(self.code, params)
        self.render(params)  # a missing parameter fails here, not when someone reads it
        return reason

    def render(self, params: Mapping[str, Param]) -> str:
        shown = {
            name: str(self.labels[name](value)) if name in self.labels else value
            for name, value in params.items()
        }
        return str(self.text) % shown

    def __repr__(self) -> str:
        return f"ReasonTemplate({self.code!r})"


def reason_template(
    code: str, text: Promise | str, *, labels: Mapping[str, Callable[[Any], Any]] | None = None
) -> ReasonTemplate:
    """Register a system text under `code` (dotted by app: "disputes.duplicate_order")."""
    known = _reasons.get(code)
    if known is not None and str(known.text) != str(text):
        raise ImproperlyConfigured(f"Reason {code!r} is registered twice with other texts")
    template = ReasonTemplate(code, text, labels)
    _reasons[code] = template
    return template


def reason_of(payload: Mapping[str, Any] | None) -> Reason | None:
    """The system text an event's payload carries, if any and still registered."""
    if not payload:
        return None
    code = payload.get(REASON_CODE)
    if not isinstance(code, str) or code not in _reasons:
        return None
    params = payload.get(REASON_PARAMS)
    return Reason(code, params if isinstance(params, dict) else {})


def render_reason(reason_text: str, payload: Mapping[str, Any] | None) -> str:
    """What a reader sees as an event's reason: the system text in the active language
    when the event carries one, else the text as stored (typed by a person, or written
    before texts were stored as codes). A template that no longer fits its stored
    parameters falls back to the stored text rather than failing the page."""
    reason = reason_of(payload)
    if reason is None:
        return reason_text
    try:
        return reason.render()
    except (KeyError, TypeError, ValueError):
        return reason_text
