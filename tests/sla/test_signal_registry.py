"""The SLA names the events of apps above it by code (it imports neither mediation nor
fulfilment): each code must be one that app registers, and the after-sale states it
lists must be the fulfilment flows' states, or a kind timing them could never start."""

from aftersales.disputes.timeline_registry import registered_kinds
from aftersales.fulfilment.flows import State
from aftersales.sla import signals
from aftersales.sla.policy import signal_problem


def test_the_after_sale_states_are_the_flows_states():
    assert set(signals.AFTERSALE_STATES) == {s.value for s in State}


def test_every_code_named_is_registered_by_its_app():
    owners = {k: type(m).__module__ for k, m in registered_kinds().items()}
    for code in signals.INVESTIGATION_EVENT_KINDS:
        assert owners[code] == "aftersales.mediation.timeline"
    for code in (signals.AFTERSALE_STATE_KIND, *signals.AFTERSALE_EVENT_KINDS):
        assert owners[code] == "aftersales.fulfilment.timeline"


def test_each_after_sale_state_is_a_signal_an_admin_may_time():
    for state in State:
        assert signal_problem(f"event:aftersale_state:{state.value}", signals.EMITTED) is None
    assert signal_problem("event:qc_notified", signals.EMITTED) is None
    assert signal_problem("event:investigation_concluded", signals.EMITTED) is None
    assert signal_problem("event:aftersale_state:lost", signals.EMITTED) is not None
