"""The registry of timeline kinds and system texts (`disputes.timeline_registry`): apps
register their own kinds; a code belongs to one app; texts are stored as codes with
parameters and shown in the reader's language. Pure: no database."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext_lazy

from aftersales.disputes import timeline_registry as registry
from aftersales.disputes.timeline import DisputeKind


@registry.event_kinds
class SampleKind(TextChoices):
    SAMPLED = "test_sampled", gettext_lazy("疑似重复")


def test_an_app_registers_its_kinds_and_their_labels_follow_the_reader():
    assert registry.event_kind("test_sampled") is SampleKind.SAMPLED
    assert registry.is_event_kind("duplicate_flagged")
    assert registry.event_kind(DisputeKind.INTAKE) is DisputeKind.INTAKE
    with translation.override("zh-hans"):
        assert registry.kind_label("test_sampled") == "疑似重复"


def test_an_unknown_kind_is_refused_and_shown_as_its_code():
    with pytest.raises(registry.UnknownEventKind):
        registry.event_kind("no_such_kind")
    assert registry.kind_label("no_such_kind") == "no_such_kind"


def test_two_apps_cannot_register_the_same_code():
    class Clash(TextChoices):
        INTAKE = "intake", "受理"

    with pytest.raises(ImproperlyConfigured, match="intake"):
        registry.event_kinds(Clash)
    assert registry.event_kind("intake") is DisputeKind.INTAKE


def test_a_code_longer_than_the_column_is_refused():
    class TooLong(TextChoices):
        LONG = "x" * (registry.KIND_MAX_LENGTH + 1), "长"

    with pytest.raises(ImproperlyConfigured):
        registry.event_kinds(TooLong)


SAME_ORDER = registry.reason_template(
    "test.same_order", gettext_lazy("同一订单已有未结投诉 %(number)s")
)


def test_a_system_text_is_stored_as_code_and_parameters_and_rendered_per_reader():
    reason = SAME_ORDER(number="SH20261205000001")
    payload = {"duplicate_of": "SH20261205000001", **reason.as_payload()}
    assert payload["reason_code"] == "test.same_order"
    assert payload["reason_params"] == {"number": "SH20261205000001"}
    with translation.override("zh-hans"):
        assert registry.render_reason("", payload) == "同一订单已有未结投诉 SH20261205000001"
    with translation.override("en"):
        assert registry.render_reason("", payload) == (
            "The same order already has an open dispute, SH20261205000001"
        )


def test_text_a_person_typed_is_shown_as_typed():
    with translation.override("en"):
        assert registry.render_reason("顾客说不要了", {"proposal": 3}) == "顾客说不要了"
        assert registry.render_reason("顾客说不要了", None) == "顾客说不要了"


def test_a_stale_code_or_broken_parameters_fall_back_to_the_stored_text():
    gone = {"reason_code": "test.removed", "reason_params": {}}
    assert registry.render_reason("旧文本", gone) == "旧文本"
    broken = {"reason_code": "test.same_order", "reason_params": {"other": 1}}
    assert registry.render_reason("旧文本", broken) == "旧文本"


def test_a_missing_or_unstorable_parameter_fails_when_written_not_when_read():
    with pytest.raises(KeyError):
        SAME_ORDER(other="x")
    with pytest.raises(TypeError):
        SAME_ORDER(number=object())


def test_a_parameter_stored_as_a_code_is_shown_as_its_label():
    class Colour(TextChoices):
        RED = "red", gettext_lazy("疑似重复")

    template = registry.reason_template(
        "test.coloured", "颜色：%(colour)s", labels={"colour": lambda c: Colour(c).label}
    )
    payload = template(colour="red").as_payload()
    assert payload["reason_params"] == {"colour": "red"}
    with translation.override("zh-hans"):
        assert registry.render_reason("", payload) == "颜色：疑似重复"


def test_one_code_cannot_name_two_texts():
    with pytest.raises(ImproperlyConfigured):
        registry.reason_template("test.same_order", "别的文本 %(number)s")
