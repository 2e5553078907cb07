"""The `reviews` import format: the public review corpus online_shopping_10_cats (columns
`row, product_category, sentiment, review`) turned into disputes.

A negative review is a real complaint; the corpus has no orders or customers, so they are
made up, deterministically from the review's `row` number (random.Random(row)): the same
row always gets the same customer, phone, order, store, product, price, channel and
relative dates. Dates are placed before the time of the import: the intake time falls in
the last 90 days, the order was paid, shipped and delivered before it. Positive reviews
are not complaints and are never imported. See docs/import.md.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from aftersales.common.text import to_simplified
from aftersales.parties.models import Order, Store

from .bulk import BulkRow, OrderFacts
from .import_readers import RowError, store_code_for
from .intake import DESCRIPTION_MAX, validate_intake
from .models import Channel, Expectation

REVIEW_COLUMNS = ("row", "product_category", "sentiment", "review")
INTAKE_WINDOW = dt.timedelta(days=90)


@dataclass(frozen=True)
class Shop:
    platform: str
    name: str
    products: tuple[tuple[str, int, int], ...]  # (product name, lowest, highest price)


P = Store.Platform
SHOPS: dict[str, Shop] = {
    "书籍": Shop(
        P.JD,
        "博文图书京东专营店",
        (
            ("长篇小说精装典藏版", 39, 79),
            ("儿童绘本套装（10册）", 59, 159),
            ("编程入门教程", 59, 99),
        ),
    ),
    "平板": Shop(
        P.TMALL,
        "云途数码天猫旗舰店",
        (("10.1英寸平板电脑 4+64G", 699, 1599), ("11英寸平板电脑 8+128G", 1499, 3299)),
    ),
    "手机": Shop(
        P.JD,
        "星辰手机京东自营旗舰店",
        (("5G智能手机 8+128G", 1299, 2999), ("5G智能手机 12+256G 旗舰版", 2999, 5999)),
    ),
    "水果": Shop(
        P.PINDUODUO,
        "果园直发生鲜店",
        (("冰糖心苹果 5斤装", 29, 59), ("金煌芒果 5斤装", 25, 49), ("赣南脐橙 10斤装", 35, 69)),
    ),
    "洗发水": Shop(
        P.TMALL,
        "丝语个护天猫旗舰店",
        (("控油去屑洗发水 750ml", 39, 89), ("氨基酸洗发水 500ml×2瓶", 59, 129)),
    ),
    "热水器": Shop(
        P.JD,
        "暖家电器京东旗舰店",
        (("储水式电热水器 60L", 899, 1899), ("零冷水燃气热水器 16L", 1999, 3999)),
    ),
    "蒙牛": Shop(
        P.TMALL,
        "乳品优选天猫旗舰店",
        (("纯牛奶 250ml×24盒", 45, 69), ("高端纯牛奶 250ml×12盒", 49, 79)),
    ),
    "衣服": Shop(
        P.TAOBAO,
        "简衣女装淘宝店",
        (("纯棉短袖T恤", 39, 99), ("加厚羽绒服", 299, 899), ("高腰牛仔裤", 89, 199)),
    ),
    "计算机": Shop(
        P.JD,
        "锐思电脑京东自营旗舰店",
        (("14英寸轻薄笔记本电脑 16G+512G", 3999, 6999), ("游戏台式电脑主机", 4999, 8999)),
    ),
}
OTHER_SHOP = Shop(P.TAOBAO, "优选百货淘宝店", (("日用百货", 19, 199),))

PAYMENTS = {
    P.TMALL: (Order.PaymentChannel.ALIPAY, Order.PaymentChannel.CREDIT_CARD),
    P.TAOBAO: (Order.PaymentChannel.ALIPAY,),
    P.JD: (Order.PaymentChannel.WECHAT_PAY, Order.PaymentChannel.BANK_QUICKPAY),
    P.PINDUODUO: (Order.PaymentChannel.WECHAT_PAY, Order.PaymentChannel.ALIPAY),
}
# Where complaints arrive, roughly as often as merchants see them.
CHANNELS = (
    Channel.PLATFORM,
    Channel.CHAT,
    Channel.PHONE,
    Channel.PORTAL,
    Channel.EMAIL,
    Channel.SOCIAL,
)
CHANNEL_WEIGHTS = (40, 25, 15, 10, 5, 5)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
)
GIVEN = (
    "伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍"
    "红玲芬燕彬鹏辉浩宇轩涵欣怡晨阳诺博婷雪梅志海晓东"
)
# Mobile prefixes in use in mainland China.
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()

# Keywords (in Simplified: Traditional text is folded first) and the expectation they
# suggest, first match wins.
EXPECTATION_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("退货", "退回去", "退掉"), Expectation.RETURN_REFUND),
    (("退款", "退钱", "退差价"), Expectation.REFUND),
    (("换货", "调换", "换一个", "换个", "换新"), Expectation.EXCHANGE),
    (("维修", "返修", "修理", "保修", "修好", "修一下"), Expectation.REPAIR),
    (("补发", "补寄", "重发"), Expectation.RESHIP),
    (("赔偿", "赔钱", "包赔", "索赔", "假一赔"), Expectation.COMPENSATION),
    (("道歉",), Expectation.APOLOGY),
)


def guess_expectation(text: str) -> str:
    simplified = to_simplified(text)
    for words, expectation in EXPECTATION_KEYWORDS:
        if any(w in simplified for w in words):
            return expectation
    return Expectation.OTHER


def made_up(row: int, category: str, text: str, now: dt.datetime) -> tuple[dict, OrderFacts]:
    """The intake data and order facts for review `row`: deterministic in `row`, with
    every date before `now`."""
    rng = random.Random(row)
    shop = SHOPS.get(category, OTHER_SHOP)
    product, low, high = rng.choice(shop.products)
    amount = Decimal(rng.randint(low, high - 1)) + Decimal(rng.choice(["0.00", "0.90", "0.99"]))
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
    # The last 8 digits are a bijection of the row number, so no two rows share a phone.
    phone = rng.choice(MOBILE_PREFIXES) + f"{(row * 48271 + 20_160_501) % 10**8:08d}"
    received = now - dt.timedelta(seconds=rng.randint(3600, int(INTAKE_WINDOW.total_seconds())))
    delivered = received - dt.timedelta(seconds=rng.randint(2 * 3600, 7 * 86400))
    shipped = delivered - dt.timedelta(seconds=rng.randint(12 * 3600, 3 * 86400))
    paid = shipped - dt.timedelta(seconds=rng.randint(600, 2 * 86400))
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    payment = rng.choice(PAYMENTS.get(shop.platform, (Order.PaymentChannel.ALIPAY,)))
    expectation = guess_expectation(text)
    claimed = amount if expectation in (Expectation.REFUND, Expectation.RETURN_REFUND) else None
    data = {
        "channel": channel,
        "order_no": f"RV{row:08d}",
        "customer": {"name": name, "phone": phone},
        "description": text,
        "product_name": product,
        "amount_paid": amount,
        "claimed_amount": claimed,
        "expectation": expectation,
        "external_ref": f"review:{row}",
        "received_at": received,
    }
    facts = OrderFacts(
        store_code=store_code_for(shop.platform, shop.name),
        store_name=shop.name,
        platform=shop.platform,
        amount_paid=amount,
        product_name=product,
        product_category=category,
        payment_channel=payment,
        paid_at=paid,
        shipped_at=shipped,
        received_at=delivered,
    )
    return data, facts


class NotComplaint:
    """A positive review: read, never imported."""


NOT_COMPLAINT = NotComplaint()


def prepare_review(line: int, raw: dict[str, Any], now: dt.datetime) -> BulkRow | NotComplaint:
    """A reviews-corpus row as a bulk row; raises RowError or ValidationFailed."""
    sentiment = str(raw.get("sentiment") or "").strip().lower()
    if sentiment == "positive":
        return NOT_COMPLAINT
    if sentiment != "negative":
        raise RowError(_("未知的 sentiment“%(v)s”（应为 negative 或 positive）") % {"v": sentiment})
    raw_row = str(raw.get("row") or "").strip()
    if not raw_row.isdigit():
        raise RowError(_("row 列必须是非负整数，现为“%(v)s”") % {"v": raw_row})
    text = str(raw.get("review") or "").strip()
    if not text:
        raise RowError(_("评价内容为空"))
    category = str(raw.get("product_category") or "").strip()
    data, facts = made_up(int(raw_row), category, text[:DESCRIPTION_MAX], now)
    request = validate_intake(data, now=now)
    return BulkRow(
        line=line,
        request=request,
        intake_key="ext:" + data["external_ref"],
        order=facts,
    )
