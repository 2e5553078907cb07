"""Demo stores on each platform (live-stream rooms sell with sale_channel live_stream),
the product lines they sell, how their customers pay, and when orders were placed and
received."""

from dataclasses import dataclass

from .appliances import APPLIANCE_LINES
from .common import ProductLine
from .goods import EVERYDAY_LINES

PRODUCT_LINES: tuple[ProductLine, ...] = APPLIANCE_LINES + EVERYDAY_LINES
LINES_BY_CODE: dict[str, ProductLine] = {line.code: line for line in PRODUCT_LINES}


@dataclass(frozen=True)
class StoreInfo:
    code: str
    name: str
    platform: str  # Store.Platform value
    platform_label: str
    lines: tuple[str, ...]
    live_host: str = ""  # the streamer, for live-stream rooms

    @property
    def is_live(self) -> bool:
        return bool(self.live_host)

    @property
    def sale_channel(self) -> str:
        return "live_stream" if self.is_live else "online"


STORES: tuple[StoreInfo, ...] = (
    StoreInfo("tmall-xingyao", "星耀数码官方旗舰店", "tmall", "天猫",
              ("phone", "tablet", "laptop")),
    StoreInfo("jd-xingyao", "星耀京东自营旗舰店", "jd", "京东", ("phone", "tablet", "laptop")),
    StoreInfo("taobao-yunmi", "云米数码专营店", "taobao", "淘宝", ("phone", "tablet")),
    StoreInfo("jd-nuanjia", "暖家电器京东专卖店", "jd", "京东",
              ("water_heater", "air_conditioner", "small_appliance")),
    StoreInfo("tmall-nuanjia", "暖家电器旗舰店", "tmall", "天猫",
              ("water_heater", "air_conditioner", "small_appliance")),
    StoreInfo("pdd-jiadian", "优选家电百货", "pinduoduo", "拼多多",
              ("small_appliance", "water_heater")),
    StoreInfo("taobao-yunshang", "云裳女装", "taobao", "淘宝", ("clothing",)),
    StoreInfo("tmall-qingfeng", "轻风运动旗舰店", "tmall", "天猫", ("shoes", "clothing")),
    StoreInfo("pdd-guoyuan", "果园鲜生", "pinduoduo", "拼多多", ("fruit",)),
    StoreInfo("taobao-shanye", "山野果园直供", "taobao", "淘宝", ("fruit",)),
    StoreInfo("jd-ruyou", "乳品优选京东专营店", "jd", "京东", ("milk",)),
    StoreInfo("tmall-muchang", "牧场鲜奶旗舰店", "tmall", "天猫", ("milk",)),
    StoreInfo("tmall-rousi", "柔丝个护旗舰店", "tmall", "天猫", ("shampoo", "skincare")),
    StoreInfo("pdd-meili", "美丽日化百货", "pinduoduo", "拼多多", ("shampoo", "skincare")),
    StoreInfo("jd-shuxiang", "书香文轩图书专营店", "jd", "京东", ("book",)),
    StoreInfo("taobao-mojuan", "墨卷书店", "taobao", "淘宝", ("book",)),
    StoreInfo("tmall-anju", "安居家具旗舰店", "tmall", "天猫", ("furniture",)),
    StoreInfo("douyin-xiaolu", "小鹿好物直播间", "douyin", "抖音",
              ("shampoo", "skincare", "clothing", "fruit", "milk"), live_host="小鹿"),
    StoreInfo("douyin-aqiang", "阿强数码直播间", "douyin", "抖音",
              ("phone", "tablet", "small_appliance"), live_host="阿强"),
    StoreInfo("kuaishou-tiantian", "甜甜源头工厂直播间", "kuaishou", "快手",
              ("clothing", "shoes", "furniture"), live_host="甜甜"),
    StoreInfo("kuaishou-laozhang", "老张果园直播间", "kuaishou", "快手",
              ("fruit", "milk"), live_host="老张"),
)  # fmt: skip

PAYMENT_CHANNELS: dict[str, tuple[str, ...]] = {
    "taobao": ("alipay", "alipay", "credit_card", "platform_balance"),
    "tmall": ("alipay", "alipay", "credit_card", "bank_quickpay"),
    "jd": ("bank_quickpay", "wechat_pay", "credit_card", "cash_on_delivery"),
    "pinduoduo": ("wechat_pay", "wechat_pay", "alipay"),
    "douyin": ("wechat_pay", "alipay", "platform_balance"),
    "kuaishou": ("wechat_pay", "alipay", "platform_balance"),
}

# (phrase, days before the complaint) for when the order was placed.
BOUGHT_WHEN: tuple[tuple[str, int], ...] = (
    ("昨天", 1), ("前天", 2), ("三天前", 3), ("前几天", 4), ("上周", 7), ("上周五", 6),
    ("上周末", 8), ("半个月前", 15), ("上个月", 30), ("月初", 12), ("十天前", 10),
    ("双十一的时候", 12), ("大促的时候", 20), ("两周前", 14), ("今天上午", 0),
)  # fmt: skip
# (phrase, days ago): never before the order was placed.
RECEIVED_WHEN: tuple[tuple[str, int], ...] = (
    ("今天刚收到", 0), ("昨天收到的", 1), ("到货没两天", 1), ("前天到的货", 2),
    ("收到好几天了", 4), ("上周到的货", 6), ("收到一个多星期了", 8),
)  # fmt: skip
