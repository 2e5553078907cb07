"""`DemoTextGenerator`: composes seeded complaints, people and order numbers from the
fragments (see the package's docstring)."""

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import Decimal

from aftersales.disputes.taxonomy import Category, Severity

from .common import (
    COMPENSATION,
    EXCHANGE,
    REFUND,
    REPAIR,
    RETURN_REFUND,
    TRADITIONAL_SHARE,
    ProductLine,
    to_traditional,
)
from .people import GIVEN_NAMES, MOBILE_PREFIXES, SURNAMES, Person
from .phrases import (
    DISPUTED_FACTS,
    EVIDENCE,
    EXPECT,
    EXPECT_TEXT,
    EXPECTATION_WEIGHTS,
    FAMILY,
    FEELINGS,
    GROUP_COMPLAINT,
    HARM_LEAD,
    MILD_THREATS,
    PROBLEMS,
    PURCHASE,
    PURCHASE_LIVE,
    REPEAT_REPAIR,
    SECOND_LEAD,
    SECOND_PROBLEM,
    SECOND_TEMPLATES,
    STRONG_THREATS,
)
from .stores import BOUGHT_WHEN, PAYMENT_CHANNELS, PRODUCT_LINES, RECEIVED_WHEN, STORES, StoreInfo


@dataclass(frozen=True)
class Complaint:
    category: str
    severity: str
    secondary_categories: tuple[str, ...]
    line: str
    product_name: str
    sku: str
    product_category: str
    amount_paid: Decimal
    claimed_amount: Decimal | None
    description: str
    expectation: str
    expectation_text: str
    escalation_risk: bool
    route: str  # where the customer threatened to go ("" when nowhere)
    occurred_days_ago: int
    traditional: bool
    harm: bool  # health or safety harm named
    # The first-line remedy when the category has its own (may hold "{amount}").
    remedy: str = ""


def categories_of_line(line: ProductLine) -> tuple[Category, ...]:
    return tuple(c for c in Category if c != Category.REPAIR_INSTALLATION or line.durable)


class DemoTextGenerator:
    """Seeded source of demo people, orders and complaint texts."""

    def __init__(self, seed: int | str):
        self.rng = random.Random(f"aftersales-demo-text:{seed}")
        self._phones: set[str] = set()
        self._orders: set[str] = set()

    # People ------------------------------------------------------------------------
    def mobile(self) -> str:
        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def name(self) -> str:
        surnames = [s for s, _p, _w in SURNAMES]
        weights = [w for _s, _p, w in SURNAMES]
        surname = self.rng.choices(surnames, weights)[0]
        if self.rng.random() < 0.08:
            return surname + self.rng.choice(("先生", "女士"))
        return surname + self.rng.choice(GIVEN_NAMES)

    def person(self, *, with_email: bool = False) -> Person:
        name = self.name()
        email = ""
        if with_email:
            if self.rng.random() < 0.5:
                email = f"{self.rng.randrange(10**5, 10**10)}@qq.com"
            else:
                pinyin = next((p for s, p, _w in SURNAMES if name.startswith(s)), "user")
                domain = self.rng.choice(("163.com", "126.com", "sina.com", "foxmail.com"))
                email = f"{pinyin}{self.rng.randrange(10, 9999)}@{domain}"
        return Person(name=name, phone=self.mobile(), email=email)

    # Orders ------------------------------------------------------------------------
    def order_no(self, platform: str, at: dt.datetime) -> str:
        while True:
            r = self.rng
            if platform in ("taobao", "tmall"):
                no = f"{r.choice('234')}{r.randrange(10**17, 10**18)}"
            elif platform == "jd":
                no = f"{r.choice('23')}{r.randrange(10**10, 10**11)}"
            elif platform == "pinduoduo":
                no = f"{at:%y%m%d}-{r.randrange(10**14, 10**15)}"
            elif platform == "douyin":
                no = f"69{r.randrange(10**16, 10**17)}"
            else:  # kuaishou and anything else
                no = f"2{r.randrange(10**14, 10**15)}"
            if no not in self._orders:
                self._orders.add(no)
                return no

    def payment_channel(self, platform: str) -> str:
        return self.rng.choice(PAYMENT_CHANNELS.get(platform, ("alipay",)))

    def price(self, line: ProductLine, low: int, high: int) -> Decimal:
        """A shop's price in [low, high]: 58.90 for small goods, 349 or 2999 for big ones."""
        base = self.rng.randint(low, high)
        if line.cheap_endings or high < 100:
            cents = self.rng.choice(("0.10", "0.00", "0.20", "0.01", "0.50"))
            return max(Decimal(base) - Decimal(cents), Decimal(low))
        if high < 1000:
            return Decimal(min(max(base // 10 * 10 + 9, low), high))
        price = (base // 100) * 100 + self.rng.choice((99, 99, 89, 0, 49))
        return Decimal(min(max(price, low), high))

    # Complaints ----------------------------------------------------------------------
    def line_for(self, category: Category, *, harm: bool = False) -> ProductLine:
        lines = [ln for ln in PRODUCT_LINES if category in categories_of_line(ln)]
        if harm:
            lines = [ln for ln in lines if ln.hazards] or lines
        return self.rng.choice(lines)

    def store_for(self, line: ProductLine) -> StoreInfo:
        return self.rng.choice([s for s in STORES if line.code in s.lines])

    def complaint(
        self,
        category: Category | str,
        severity: Severity | str = Severity.GENERAL,
        *,
        channel: str = "portal",
        store: StoreInfo | None = None,
        line: ProductLine | None = None,
        order_no: str = "",
        customer_name: str = "",
        at: dt.datetime | None = None,
    ) -> Complaint:
        r = self.rng
        category, severity = Category(category), Severity(severity)
        # What makes a major case major: harm, a group, a repeated repair, a strong threat.
        major_kind = ""
        if severity == Severity.MAJOR:
            options = ["threat", "threat"]
            if category not in (Category.SERVICE, Category.OTHER):
                options.append("group")
            if category == Category.QUALITY:
                options += ["harm"] * 4
            if category == Category.REPAIR_INSTALLATION:
                options += ["repeat"] * 3
            major_kind = r.choice(options)
        if line is None or category not in categories_of_line(line):
            line = self.line_for(category, harm=major_kind == "harm")
        if major_kind == "harm" and not line.hazards:
            major_kind = "threat"
        if store is None or line.code not in store.lines:
            store = self.store_for(line)
        item, low, high = r.choice(line.items)
        amount = self.price(line, low, high)
        if category in _NOT_RECEIVED:
            when, days = r.choice([(w, d) for w, d in BOUGHT_WHEN if 3 <= d <= 20])
        else:
            when, days = r.choice(BOUGHT_WHEN)
        diff = (amount * Decimal(r.choice(("0.05", "0.1", "0.15", "0.2", "0.3")))).quantize(
            Decimal("1")
        ) or Decimal(5)
        diff = min(diff, Decimal(r.choice((50, 100, 150, 200))))
        variant, variant2 = r.sample(line.variants, 2)
        ctx = {
            "noun": line.noun,
            "item": item,
            "amount": f"{amount}",
            "lower": f"{amount - diff}",
            "diff": f"{diff}",
            "store": store.name,
            "platform": store.platform_label,
            "host": store.live_host,
            "when": when,
            "recv": r.choice([p for p, d in RECEIVED_WHEN if d <= days] or ["今天刚收到"]),
            "used": r.choice([p for p, d in line.used_when if d <= days] or ["刚到手"]),
            "family": r.choice(FAMILY),
            "order_no": order_no,
            "n": days if category in _NOT_RECEIVED else r.randint(2, max(2, min(15, days - 1))),
            "fee": r.choice((80, 100, 150, 200, 260, 300))
            if category != Category.PRICE_PROMOTION
            else r.choice((8, 10, 12, 15, 20)),
            "fault": r.choice(line.faults),
            "mismatch": r.choice(line.mismatches),
            "fake": r.choice(line.fakes),
            "part": r.choice(line.parts),
            "gift": r.choice(line.gifts),
            "variant": variant,
            "variant2": variant2,
        }

        problems = PROBLEMS[category]
        if category == Category.QUALITY and _TIMED.search(ctx["fault"]):
            problems = tuple(t for t in problems if "{used}" not in t)  # one time phrase only
        problem = r.choice(problems)
        remedy = ""
        if category == Category.PRICE_PROMOTION:
            remedy = _price_remedy(problem).format_map(ctx)
            if "{fee}" in problem:
                diff = Decimal(ctx["fee"])  # the overcharge is what is owed back
        expectation = _weighted(r, EXPECTATION_WEIGHTS[category])
        if expectation == REPAIR and not line.durable:
            expectation = EXCHANGE
        if major_kind == "harm" and r.random() < 0.6:
            expectation = COMPENSATION
        claim = _claim(r, expectation, category, amount, diff, major_kind == "harm")
        ctx["claim"] = f"{claim}" if claim is not None else f"{amount}"

        sentences: list[str] = []
        if category != Category.OTHER or r.random() < 0.5:
            templates = PURCHASE_LIVE if store.is_live and r.random() < 0.6 else PURCHASE
            if not order_no:
                templates = tuple(t for t in templates if "{order_no}" not in t)
            if category in _NOT_RECEIVED:
                templates = tuple(t for t in templates if "{recv}" not in t) or PURCHASE[:1]
            sentences.append(r.choice(templates).format_map(ctx))
        sentences.append(problem.format_map(ctx))

        secondary: tuple[str, ...] = ()
        if severity == Severity.COMPLEX:
            if r.random() < 0.75:
                second = r.choice(SECOND_PROBLEM[category])
                secondary = (second.value,)
                text = r.choice(SECOND_TEMPLATES.get(second, PROBLEMS[second])).format_map(ctx)
                sentences.append(r.choice(SECOND_LEAD) + text)
            if not secondary or r.random() < 0.4:
                sentences.append(r.choice(DISPUTED_FACTS[category]))

        route, threat = "", ""
        harm = False
        if major_kind == "harm":
            harm = True
            sentences.append(r.choice(HARM_LEAD) + r.choice(line.hazards) + "。")
        elif major_kind == "repeat":
            sentences.append(r.choice(REPEAT_REPAIR))
        elif major_kind == "group":
            groups = [g for g in GROUP_COMPLAINT if store.is_live or "直播" not in g]
            sentences.append(r.choice(groups).format_map(ctx))
        if r.random() < 0.45:
            sentences.append(r.choice(EVIDENCE))
        if r.random() < 0.7:
            sentences.append(r.choice(FEELINGS))
        sentences.append(r.choice(_fitting(EXPECT[expectation], category)).format_map(ctx))
        if major_kind == "threat" or (major_kind and r.random() < 0.3):
            threat, route = r.choice(STRONG_THREATS)
        elif r.random() < 0.15:
            threat, route = r.choice(MILD_THREATS)
        if threat:
            sentences.append(threat)

        body = _join(sentences)
        description = self._wrap(body, channel, store, customer_name, at)
        expectation_text = r.choice(_fitting(EXPECT_TEXT[expectation], category)).format_map(ctx)
        traditional = r.random() < TRADITIONAL_SHARE
        if traditional:
            description = to_traditional(description)
            expectation_text = to_traditional(expectation_text)
        return Complaint(
            category=category.value,
            severity=severity.value,
            secondary_categories=secondary,
            line=line.code,
            product_name=item,
            sku=f"DEMO-{line.code.upper()}-{line.items.index((item, low, high)) + 1:02d}",
            product_category=line.product_category,
            amount_paid=amount,
            claimed_amount=claim,
            description=description,
            expectation=expectation,
            expectation_text=expectation_text,
            escalation_risk=bool(threat),
            route=route,
            occurred_days_ago=days,
            traditional=traditional,
            harm=harm,
            remedy=remedy,
        )

    def _wrap(
        self, body: str, channel: str, store: StoreInfo, name: str, at: dt.datetime | None
    ) -> str:
        """The way each intake channel writes a complaint down."""
        r = self.rng
        if channel == "phone":
            lead = r.choice(("顾客来电反映：", "来电记录：顾客称", "顾客来电，情绪比较激动，称"))
            return lead + body
        if channel == "in_person":
            lead = r.choice(("顾客到店反映：", "顾客携带商品到店，称", "门店接待记录：顾客称"))
            return lead + body
        if channel == "letter":
            date = f"{at:%Y年%m月%d日}" if at else ""
            return (
                f"尊敬的{store.name}负责人：\n您好！我是贵店的顾客{name}。{body}\n"
                f"此致\n敬礼！\n{name}\n{date}"
            ).rstrip()
        if channel == "email":
            return f"{r.choice(('您好：', '客服你好，', '你好，'))}\n{body}\n{name}"
        if channel == "chat":
            return r.choice(("在吗？", "人工客服。", "你好，", "")) + body
        if channel == "social":
            tag = r.choice(("#维权#", "#避雷#", "#消费维权#"))
            return f"{tag} @{store.name} {body}{r.choice(('大家评评理！', '避雷！', ''))}"
        if channel == "platform":
            return f"【{store.platform_label}平台纠纷】买家留言：{body}"
        return body


def _price_remedy(problem: str) -> str:
    """SPEC §5 for price and promotion disputes: the difference back, the gift sent, the
    overcharge refunded."""
    if "{gift}" in problem:
        return "补发赠品{gift}，并致歉"
    if "{fee}" in problem:
        return "退还多收的运费 {{amount}} 元"  # {amount}: the agreed sum, filled in later
    return "退还差价 {{amount}} 元"


def _join(sentences: list[str]) -> str:
    text = ""
    for s in sentences:
        if text and text[-1] not in "。！？，；：\n":
            text += "。"
        text += s
    return text


_TIMED = re.compile("用了|[天周月]")

# Nothing arrived (yet): no "received yesterday" in these texts.
_NOT_RECEIVED = frozenset({Category.SHIPPING_DELAY, Category.OUT_OF_STOCK, Category.LOGISTICS})

# Expectation phrases that only fit some categories.
_ONLY_FOR: tuple[tuple[str, frozenset[Category]], ...] = (
    ("{variant}", frozenset({Category.WRONG_OR_MISSING})),
    ("{part}", frozenset({Category.WRONG_OR_MISSING})),
    ("发货", frozenset({Category.SHIPPING_DELAY, Category.OUT_OF_STOCK})),
    ("退一赔三", frozenset({Category.COUNTERFEIT})),
    ("正确的", frozenset({Category.WRONG_OR_MISSING, Category.NOT_AS_DESCRIBED})),
)


# … and phrases that do not fit some categories (no full refund for a price difference,
# nothing to send back when nothing arrived).
_NOT_FOR: tuple[tuple[str, frozenset[Category]], ...] = (
    ("全额", frozenset({Category.PRICE_PROMOTION})),
    ("不用退了", frozenset({Category.PRICE_PROMOTION, *_NOT_RECEIVED})),
)


def _fitting(templates: tuple[str, ...], category: Category) -> tuple[str, ...]:
    fit = tuple(
        t
        for t in templates
        if all(category in cats or key not in t for key, cats in _ONLY_FOR)
        and not any(category in cats and key in t for key, cats in _NOT_FOR)
    )
    return fit or templates


def _weighted(r: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return r.choices([p for p, _w in pairs], [w for _p, w in pairs])[0]


def _claim(
    r: random.Random,
    expectation: str,
    category: Category,
    amount: Decimal,
    diff: Decimal,
    harm: bool,
) -> Decimal | None:
    if category == Category.PRICE_PROMOTION and expectation != COMPENSATION:
        return diff  # what the customer lost, whatever they ask for
    if expectation in (REFUND, RETURN_REFUND):
        return amount
    if expectation != COMPENSATION:
        return None
    if harm:
        return Decimal(r.choice((800, 1500, 2000, 3000, 5000, 8000)))
    if category == Category.COUNTERFEIT:
        return amount * 3
    if category == Category.PRICE_PROMOTION:
        return diff
    claim = Decimal(r.choice((20, 30, 50, 100, 200, 300, 500)))
    return claim if claim <= amount else (amount / 2).quantize(Decimal("1")) or Decimal(10)
