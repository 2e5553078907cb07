"""Every state the customer can meet has customer words, never our codes."""

import re

from aftersales.disputes.states import Status
from aftersales.fulfilment.customer_words import customer_state_text
from aftersales.fulfilment.flows import State
from aftersales.mediation.models import ProposalState
from aftersales.portal import wording

CODE_LIKE = re.compile(r"[a-z_]{4,}")


def test_every_dispute_status_has_customer_words():
    for status in Status:
        words = wording.customer_status(status)
        assert words and not CODE_LIKE.search(words), status
    assert wording.customer_status("received") == "已受理"
    assert wording.customer_status("proposing", awaiting_answer=True) == "等待您确认方案"
    assert wording.customer_status("closed") == "处理完成"
    assert wording.customer_status("something-new") == "处理中"


def test_every_proposal_and_after_sale_state_has_customer_words():
    for state in ProposalState:
        assert not CODE_LIKE.search(wording.proposal_words(state))
    for state in State:
        assert not CODE_LIKE.search(customer_state_text(state))


def test_deadlines_in_customer_words():
    assert wording.deadline_words("first_contact") == "联系您"
    assert wording.deadline_words("a_new_kind") == "答复您"
