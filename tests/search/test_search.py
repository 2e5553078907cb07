"""Search finds a dispute by each key of issue 13, in both scripts, on the database the
suite runs on (FTS5 on SQLite, the GIN tsvector on PostgreSQL)."""

import pytest

from aftersales.disputes import selectors
from aftersales.disputes.models import Dispute
from aftersales.disputes.search import dispute_tokens, query_tokens, search_ids
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(default_team):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    leak_order = OrderFactory(order_no="TB2026120500017", platform_order_no="PDD-88776655")
    leak = make_dispute(
        leak_order,
        customer={"name": "欧阳娜娜", "phone": "13912345678"},
        description="电饭煲用了两天底部漏水，要求退款。",
        external_ref="TM-AS-20261205-0042",
    )
    other = make_dispute(
        OrderFactory(order_no="JD2026000999"),
        customer={"name": "李雷", "phone": "13700001111"},
        description="快递三天没有更新物流信息，包裹一直在中转站。",
    )
    return lead, leak, other


def found(user, q) -> set[str]:
    return set(selectors.dispute_queue(user, q=q).values_list("number", flat=True))


@pytest.mark.parametrize(
    "q",
    [
        "TB2026120500017",  # order number
        "tb2026120500017",  # any case
        "PDD-88776655",  # the platform's order number
        "TM-AS-20261205-0042",  # the platform after-sale number (external_ref)
        "13912345678",  # full phone
        "139 1234 5678",  # typed with spaces
        "+86 139-1234-5678",
        "5678",  # its last four digits
        "欧阳娜娜",  # customer name
        "欧阳",  # part of it
        "歐陽娜娜",  # Traditional
        "漏水",  # a two-character word of the description
        "漏水",
        "電飯煲",  # Traditional input finds Simplified text
        "电饭煲 漏水",  # words AND-ed
        "退款",
        "退款 欧阳",
        "漏",  # one character
    ],
)
def test_each_key_finds_the_dispute(cases, q):
    lead, leak, _other = cases
    assert found(lead, q) == {leak.number}


def test_the_dispute_number(cases):
    lead, leak, _other = cases
    assert found(lead, leak.number) == {leak.number}
    assert found(lead, leak.number.lower()) == {leak.number}


@pytest.mark.parametrize("q", ["物流", "物流 中转", "李雷", "1111", "JD2026000999", "快遞"])
def test_the_other_dispute(cases, q):
    lead, _leak, other = cases
    assert found(lead, q) == {other.number}


@pytest.mark.parametrize(
    "q", ["漏水 物流", "水漏", "13912345679", "4567", "TB20261205", "王五", "!!!", "饭漏"]
)
def test_no_false_match(cases, q):
    lead, _leak, _other = cases
    assert found(lead, q) == set()


def test_blank_query_filters_nothing(cases):
    lead, leak, other = cases
    assert found(lead, "  ") == {leak.number, other.number}


def test_search_ids_is_a_subquery(cases):
    _lead, leak, _other = cases
    ids = search_ids("漏水")
    assert list(Dispute.objects.filter(pk__in=ids).values_list("number", flat=True)) == [
        leak.number
    ]


def test_index_follows_updates(cases):
    """The index is kept by the database (FTS5 triggers / an expression index): a changed
    token list is what the next search sees."""
    lead, leak, other = cases
    Dispute.objects.filter(pk=other.pk).update(
        search_tokens=dispute_tokens(description="洗衣机漏水")
    )
    assert found(lead, "漏水") == {leak.number, other.number}
    assert found(lead, "物流") == set()


def test_scope_still_applies(cases):
    """An agent of another team finds nothing of the default team's, search or not."""
    _lead, _leak, _other = cases
    outsider = make_staff(Role.AGENT, team=TeamFactory())
    assert found(outsider, "漏水") == set()
    assert found(outsider, "13912345678") == set()


def test_tokens():
    assert dispute_tokens(description="電飯煲漏水", customer_phone="13912345678").split() == [
        "电饭",
        "饭煲",
        "煲漏",
        "漏水",
        "水",
        "13912345678",
        "5678",
    ]
    assert dispute_tokens(description="型号 ABC-123 坏了").split() == [
        "型号",
        "号",
        "abc123",
        "abc",
        "123",
        "坏了",
        "了",
    ]
    assert query_tokens("電飯煲") == ["电饭", "饭煲"]
    assert query_tokens("+86 139 1234 5678") == ["13912345678"]


def test_a_very_long_word_is_stored_and_the_rest_found(default_team):
    """PostgreSQL refuses a lexeme over 2 KB: such a run is left out of the index."""
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    d = make_dispute(description="x" * 3000 + " 冰箱漏水")
    assert found(lead, "冰箱") == {d.number}
    assert max(map(len, d.search_tokens.split())) <= 64


@pytest.mark.parametrize("q", ["漏水", "电饭煲 漏水", "5678", "歐陽"])
def test_the_plan_for_common_words_finds_the_same(cases, monkeypatch, q):
    """A word in COMMON disputes or more is searched by walking the queue's order: the
    same disputes are found either way."""
    lead, leak, _other = cases
    from aftersales.disputes import search as search_module

    monkeypatch.setattr(search_module, "COMMON", 1)
    assert found(lead, q) == {leak.number}
    assert found(lead, "物流") != {leak.number}
