"""The demo's own generator of realistic Chinese complaints: pure Python, seeded.

`DemoTextGenerator(seed)` composes each complaint from fragments — a product line and
item, when it was bought or received, the problem in the category's typical words
(taxonomy.md), evidence, the customer's feelings, their expectation (an Expectation
code), sometimes a threat to escalate — and wraps it the way its intake channel writes
(a call note, a letter, a platform dispute, a social-media post …). A severity is made
true by the text: `major` carries a health or safety harm, a group complaint, a repeated
failure after repair or a threat to go to 12315/消协/a lawyer/the media; `complex` names
a second problem or disputed facts. A small share comes in Traditional Chinese.

Also names (surname + given name), valid mobile numbers, order numbers in each
platform's style, stores (live-stream rooms on 抖音/快手 sell with sale_channel
live_stream) and plausible prices per product line. No database, no global randomness:
the same seed gives the same texts.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import opencc

from .taxonomy import Category, Severity

# Expectation codes (models.Expectation), kept as strings so this module needs no Django.
REFUND = "refund"
RETURN_REFUND = "return_refund"
EXCHANGE = "exchange"
REPAIR = "repair"
RESHIP = "reship"
COMPENSATION = "compensation"
APOLOGY = "apology"
OTHER = "other"

# Escalation routes (lifecycle.EscalationRoute values).
PLATFORM = "platform"
CONSUMER_ASSOCIATION = "consumer_association"
REGULATOR = "regulator"
LAWSUIT = "lawsuit"

TRADITIONAL_SHARE = 0.06


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text) if text else text


# ── People ──────────────────────────────────────────────────────────────────────────

SURNAMES: tuple[tuple[str, str, int], ...] = (
    # (surname, pinyin, weight) — the commonest surnames weigh more.
    ("王", "wang", 10), ("李", "li", 10), ("张", "zhang", 10), ("刘", "liu", 8),
    ("陈", "chen", 8), ("杨", "yang", 6), ("黄", "huang", 5), ("赵", "zhao", 5),
    ("吴", "wu", 5), ("周", "zhou", 5), ("徐", "xu", 4), ("孙", "sun", 4),
    ("马", "ma", 4), ("朱", "zhu", 4), ("胡", "hu", 4), ("郭", "guo", 3),
    ("何", "he", 3), ("高", "gao", 3), ("林", "lin", 3), ("罗", "luo", 3),
    ("郑", "zheng", 3), ("梁", "liang", 3), ("谢", "xie", 2), ("宋", "song", 2),
    ("唐", "tang", 2), ("许", "xu", 2), ("韩", "han", 2), ("冯", "feng", 2),
    ("邓", "deng", 2), ("曹", "cao", 2), ("彭", "peng", 2), ("曾", "zeng", 2),
    ("肖", "xiao", 2), ("田", "tian", 2), ("董", "dong", 2), ("袁", "yuan", 2),
    ("潘", "pan", 2), ("于", "yu", 2), ("蒋", "jiang", 2), ("蔡", "cai", 2),
    ("余", "yu", 2), ("杜", "du", 2), ("叶", "ye", 2), ("程", "cheng", 2),
    ("苏", "su", 2), ("魏", "wei", 2), ("吕", "lv", 2), ("丁", "ding", 2),
    ("任", "ren", 1), ("沈", "shen", 1), ("姚", "yao", 1), ("卢", "lu", 1),
    ("姜", "jiang", 1), ("崔", "cui", 1), ("钟", "zhong", 1), ("谭", "tan", 1),
    ("陆", "lu", 1), ("汪", "wang", 1), ("范", "fan", 1), ("金", "jin", 1),
    ("石", "shi", 1), ("廖", "liao", 1), ("贾", "jia", 1), ("夏", "xia", 1),
    ("韦", "wei", 1), ("付", "fu", 1), ("方", "fang", 1), ("白", "bai", 1),
    ("邹", "zou", 1), ("孟", "meng", 1), ("熊", "xiong", 1), ("秦", "qin", 1),
    ("欧阳", "ouyang", 1), ("司马", "sima", 1), ("上官", "shangguan", 1),
)  # fmt: skip

GIVEN_NAMES: tuple[str, ...] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛",
    "超", "霞", "平", "刚", "鹏", "婷", "雪", "琳", "浩", "宇", "欣", "颖", "倩", "斌",
    "秀英", "秀兰", "桂英", "玉兰", "建华", "建国", "志强", "志明", "海燕", "海涛",
    "丽娟", "丽华", "晓燕", "晓明", "晓东", "婷婷", "丹丹", "亮亮", "子涵", "子轩",
    "浩然", "欣怡", "雨轩", "雨涵", "梓涵", "梓萱", "思远", "思琪", "梦琪", "嘉怡",
    "嘉豪", "俊杰", "俊熙", "文博", "文静", "佳琪", "佳慧", "一鸣", "天佑", "若曦",
    "诗涵", "紫萱", "明轩", "宇航", "晨曦", "立新", "国庆", "红梅", "春燕", "秋菊",
    "德明", "永刚", "振华", "淑芬", "美玲", "慧敏", "少伟", "家豪", "宏伟", "文杰",
    "凤英", "金凤", "建军", "卫东", "雅婷", "静怡", "书瑶", "可馨", "梦洁", "欣然",
)  # fmt: skip

MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147",
    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "175",
    "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    email: str = ""


# When the problem showed, and how many days after buying at the least (lines may give
# their own).
USED_WHEN: tuple[tuple[str, int], ...] = (
    ("刚到手", 0), ("才用了两次", 2), ("刚用了几天", 3), ("拿到手不到一周", 3),
    ("收到第三天", 4), ("用了半个月", 15), ("用了不到一个月", 20), ("用了一个多月", 35),
)  # fmt: skip


# ── Stores and products ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ProductLine:
    code: str
    noun: str  # how a customer names it: 手机, 热水器
    product_category: str  # 商品类目
    items: tuple[tuple[str, int, int], ...]  # (product name, lowest, highest price in yuan)
    faults: tuple[str, ...]  # quality problems in the line's own words
    mismatches: tuple[str, ...]  # not as described
    fakes: tuple[str, ...]  # counterfeit / false advertising
    parts: tuple[str, ...]  # what can be missing from the parcel
    gifts: tuple[str, ...]  # promised gifts
    variants: tuple[str, ...]  # colours, sizes, flavours: what can be sent wrong
    hazards: tuple[str, ...] = ()  # health or safety harm: always major
    used_when: tuple[tuple[str, int], ...] = USED_WHEN  # when the problem showed
    durable: bool = False  # repaired and installed, so repair_installation applies
    cheap_endings: bool = False  # prices like 39.90 rather than 1999.00


PRODUCT_LINES: tuple[ProductLine, ...] = (
    ProductLine(
        code="phone",
        noun="手机",
        product_category="手机数码",
        items=(
            ("星耀 X9 Pro 5G 手机 12+256G", 3299, 4999),
            ("星耀 S20 5G 手机 8+256G", 1799, 2699),
            ("云米 Note 13 手机 8+128G", 999, 1599),
            ("折叠屏手机 Flip 3 12+512G", 5999, 7999),
            ("老人智能手机 4G 全网通", 299, 599),
        ),
        faults=(
            "用了不到一周就频繁死机重启",
            "电池特别不耐用，充满电半天就没了",
            "充电的时候机身烫得厉害",
            "屏幕上出现了一条绿线",
            "摄像头拍照一直对不上焦，照片全是糊的",
            "信号很差，经常显示无服务",
            "听筒有杂音，打电话对方听不清",
            "指纹解锁十次有八次识别不了",
        ),
        mismatches=(
            "页面写的是 12+256G，实际只有 8+128G",
            "宣传说是国行全新，拿到手发现是海外版",
            "详情页写支持无线充电，实际根本不支持",
            "颜色是页面上的“远峰蓝”，实物偏灰，色差太大",
        ),
        fakes=(
            "拿去官方售后查了序列号，说是翻新机",
            "激活时间显示半年前就激活过了，根本不是新机",
            "相册里还有别人的照片，明显是二手翻新机",
            "包装盒上的防伪标签是贴上去的，山寨货",
        ),
        parts=("充电器", "数据线", "取卡针", "说明书和保修卡"),
        gifts=("手机壳", "蓝牙耳机", "充电宝", "钢化膜"),
        variants=("黑色", "白色", "远峰蓝", "8+128G 版本", "12+256G 版本"),
        hazards=("手机充电时突然冒烟，还有一股焦味，差点烧到床单",),
        durable=True,
    ),
    ProductLine(
        code="tablet",
        noun="平板",
        product_category="手机数码",
        items=(
            ("星耀 Pad 11 英寸平板电脑 8+256G", 1899, 2799),
            ("学习平板 AI 学习机 10.1 英寸", 1299, 2499),
            ("儿童护眼平板 8 英寸", 499, 899),
        ),
        faults=(
            "触屏经常失灵，点了没反应",
            "用了几天就开不了机",
            "屏幕四周漏光严重",
            "充电充不进去，一直显示 1%",
            "装网课软件就闪退，卡得没法用",
        ),
        mismatches=(
            "宣传是护眼屏，实际就是普通屏幕",
            "说是 256G，系统里显示只有 128G",
            "页面写送手写笔套装，收到的是单机版",
        ),
        fakes=(
            "宣传“名师课程终身免费”，用了才知道要另外付费，虚假宣传",
            "机身和包装上的型号对不上，怀疑是翻新机",
        ),
        parts=("手写笔", "充电头", "保护套"),
        gifts=("键盘保护套", "手写笔", "学习卡"),
        variants=("深空灰", "银色", "WiFi 版", "插卡版"),
        hazards=("平板充电时电池鼓包，外壳都顶开了，孩子吓坏了",),
        durable=True,
    ),
    ProductLine(
        code="laptop",
        noun="电脑",
        product_category="电脑办公",
        items=(
            ("轻薄笔记本电脑 14 英寸 i5 16G 512G", 3999, 5499),
            ("游戏本 16 英寸 i7 RTX4060", 6999, 8999),
            ("商务办公笔记本 15.6 英寸", 2999, 4299),
            ("台式电脑主机 办公套装", 2499, 3999),
        ),
        faults=(
            "用一会儿就蓝屏，文件都没保存",
            "键盘有好几个键按不动",
            "风扇声音特别大，像吹风机一样",
            "屏幕有两个坏点，还有一条亮线",
            "合上盖子再打开就黑屏",
            "电池充不满，最多只能充到 60%",
        ),
        mismatches=(
            "配置写的是独立显卡，实际是集成显卡",
            "说是 16G 内存，打开系统一看只有 8G",
            "宣传是正版 Windows，收到是未激活的系统",
        ),
        fakes=(
            "拆开后盖看到硬盘是旧的，通电时间上千小时，翻新机当新机卖",
            "宣传的“军工级品质”完全是夸大宣传",
        ),
        parts=("电源适配器", "鼠标", "保修卡"),
        gifts=("无线鼠标", "电脑包", "散热支架"),
        variants=("i5 版本", "i7 版本", "银色", "深空灰"),
        hazards=("电脑充电时电源适配器冒烟起火，桌面都烧黑了",),
        durable=True,
    ),
    ProductLine(
        code="water_heater",
        noun="热水器",
        product_category="家用电器",
        items=(
            ("暖家 60 升电热水器 一级能效", 1299, 1999),
            ("暖家 16 升燃气热水器 恒温", 1599, 2599),
            ("即热式小厨宝 6.6 升", 399, 699),
        ),
        faults=(
            "用了三天就不加热了",
            "漏水，地板都泡坏了",
            "显示屏不亮，按键也没反应",
            "水温忽冷忽热，洗澡根本没法用",
            "一开机就报 E3 故障",
        ),
        mismatches=(
            "页面写 60 升，送来的是 50 升的",
            "宣传说一级能效，铭牌上是二级",
            "说好是智能 APP 控制款，收到的是普通款",
        ),
        fakes=("宣传“速热 3 分钟”，实际要烧四十多分钟，夸大宣传",),
        parts=("混水阀", "膨胀螺丝和挂架", "安装说明书"),
        gifts=("花洒套装", "延长保修卡"),
        variants=("50 升", "60 升", "80 升"),
        hazards=(
            "洗澡的时候手碰到水管有麻麻的感觉，怀疑漏电",
            "家里一开热水器就跳闸，电工检查说是热水器漏电",
            "热水器插头冒烟，墙上的插座都烧黑了",
        ),
        durable=True,
    ),
    ProductLine(
        code="air_conditioner",
        noun="空调",
        product_category="家用电器",
        items=(
            ("暖家 1.5 匹变频挂机空调", 2299, 3299),
            ("暖家 3 匹立式柜机空调", 4999, 6999),
        ),
        faults=(
            "制冷效果很差，开一下午屋里还是三十度",
            "室外机噪音特别大，邻居都来敲门了",
            "内机一直往下滴水，墙面都湿了",
            "遥控器没反应，开机就报 F1",
        ),
        mismatches=(
            "宣传说是新一级能效，能效贴上写的是三级",
            "页面写的是 1.5 匹，送来的是大 1 匹",
        ),
        fakes=("宣称“除甲醛除菌”，客服也说不出有什么认证，虚假宣传",),
        parts=("遥控器", "铜管", "排水管"),
        gifts=("免费安装", "延保三年"),
        variants=("1.5 匹", "大 1 匹", "白色", "金色"),
        hazards=("空调插头烧焦冒烟，差点起火",),
        durable=True,
    ),
    ProductLine(
        code="small_appliance",
        noun="电饭煲",
        product_category="厨房电器",
        items=(
            ("智能电饭煲 4 升 IH 加热", 299, 599),
            ("多功能电压力锅 5 升", 269, 499),
            ("家用空气炸锅 5.5 升", 199, 399),
        ),
        faults=(
            "煮出来的饭是夹生的",
            "内胆涂层用了一周就掉了",
            "定时预约功能根本没用",
            "密封圈漏气，压力上不去",
        ),
        mismatches=(
            "宣传是 IH 加热，拆开看是普通底盘加热",
            "说是 5 升，实际容量也就 3 升多",
        ),
        fakes=("说是“不粘涂层零添加”，检测报告都拿不出来，虚假宣传",),
        parts=("量杯和饭勺", "蒸笼", "电源线"),
        gifts=("饭勺套装", "硅胶垫"),
        variants=("白色", "红色", "4 升", "5 升"),
        hazards=(
            "煮饭时外壳漏电，手被电了一下",
            "用的时候突然冒烟，还有塑料烧焦的味道",
        ),
        durable=True,
    ),
    ProductLine(
        code="shampoo",
        noun="洗发水",
        product_category="个护清洁",
        items=(
            ("柔丝去屑洗发水 750ml", 59, 99),
            ("柔丝氨基酸洗发水护发素套装", 89, 159),
            ("防脱育发洗发水 500ml×2", 99, 199),
        ),
        faults=(
            "用了一个星期头皮反而更痒了",
            "根本没有宣传的去屑效果",
            "味道特别刺鼻，洗完头疼",
            "泵头是坏的，按不出来",
            "打开发现已经分层变质了",
        ),
        mismatches=(
            "规格写的是 750ml，收到只有 500ml",
            "页面写的是无硅油配方，成分表里有硅油",
            "宣传是套装，结果只有洗发水没有护发素",
        ),
        fakes=(
            "和我在商场专柜买的对比，瓶身印刷和气味都不一样，是假货",
            "防伪码扫出来显示已经被查询过很多次",
            "宣传“7 天长出新发”，完全是虚假宣传",
        ),
        parts=("套装里的护发素", "旅行装小样"),
        gifts=("旅行装", "护发精油", "发圈"),
        variants=("去屑款", "控油款", "滋润款"),
        hazards=(
            "用完头皮过敏红肿，去医院皮肤科看了",
            "孩子用了以后脸上脖子上全是红疹，医生说是过敏",
        ),
        cheap_endings=True,
    ),
    ProductLine(
        code="skincare",
        noun="面霜",
        product_category="美妆护肤",
        items=(
            ("玉颜修护面霜 50g", 129, 299),
            ("美白精华液 30ml", 199, 399),
            ("补水面膜 20 片装", 69, 139),
        ),
        faults=(
            "用了脸上开始长痘",
            "质地和以前买的完全不一样，一搓就起泥",
            "瓶子里有异物",
            "没有任何效果",
        ),
        mismatches=(
            "说是 50g，拿到手感觉连一半都没有",
            "宣传的成分表和实物包装上的不一致",
        ),
        fakes=(
            "宣称“7 天美白”，完全是虚假宣传",
            "批号在官方查不到，怀疑是假货",
            "包装的字体和正品对比明显不一样，是山寨的",
        ),
        parts=("赠送的小样", "面膜里少了几片"),
        gifts=("小样套装", "化妆包"),
        variants=("清爽型", "滋润型"),
        hazards=(
            "用了一次就过敏，脸又红又肿，去医院打了针",
            "用完眼睛周围红肿刺痛，医生说是接触性皮炎",
        ),
        cheap_endings=True,
    ),
    ProductLine(
        code="clothing",
        noun="衣服",
        product_category="服饰鞋包",
        items=(
            ("云裳女士羊毛大衣 中长款", 399, 899),
            ("男士加厚羽绒服 白鸭绒", 299, 699),
            ("纯棉短袖 T 恤 三件装", 59, 129),
            ("法式碎花连衣裙", 129, 299),
            ("儿童加绒卫衣套装", 89, 169),
        ),
        faults=(
            "洗了一次就掉色，把别的衣服都染了",
            "穿了两次就起球",
            "线头很多，袖口都开线了",
            "拉链刚拉两下就坏了",
            "羽绒服跑绒严重，穿一天身上全是毛",
            "有一股很重的异味，洗了几遍都去不掉",
        ),
        mismatches=(
            "尺码偏小两个码，和标注的尺码表不符",
            "说是纯棉的，洗标上写的是涤纶",
            "颜色和图片完全不一样，色差太大",
            "宣传是 90% 白鸭绒，吊牌写的是 50%",
            "模特图是长款，收到的是短款",
        ),
        fakes=(
            "吊牌是山寨的，商标都印歪了",
            "说是品牌正品，官方客服说根本没有这个款号",
            "主播说是大牌同厂，其实就是地摊货",
        ),
        parts=("腰带", "帽子", "三件装只到了两件"),
        gifts=("袜子", "围巾", "收纳袋"),
        variants=("S 码", "M 码", "L 码", "XL 码", "黑色", "米白色", "卡其色"),
        hazards=("孩子穿了身上起了一片红疹，去医院说是面料刺激过敏",),
        cheap_endings=True,
    ),
    ProductLine(
        code="shoes",
        noun="鞋子",
        product_category="服饰鞋包",
        items=(
            ("轻风缓震跑步鞋", 299, 599),
            ("女士小白鞋 真皮", 199, 399),
            ("儿童防滑雪地靴", 129, 259),
        ),
        faults=(
            "鞋底开胶了",
            "穿了一周鞋面就裂了",
            "鞋垫掉色，袜子都染黑了",
            "走路鞋底吱吱响",
        ),
        mismatches=(
            "尺码不对，标的 40 码比我平时穿的 40 码小一大截",
            "宣传是真皮，实际是 PU 人造革",
        ),
        fakes=(
            "鞋标做工粗糙，和专柜正品对比明显是假货",
            "宣传“专业马拉松跑鞋”，鞋底薄得像纸，夸大宣传",
        ),
        parts=("备用鞋带", "鞋盒"),
        gifts=("袜子", "鞋油套装"),
        variants=("38 码", "39 码", "40 码", "41 码", "42 码", "白色", "黑色"),
        hazards=("鞋底太滑，下雨天穿着摔倒了，膝盖受伤缝了三针",),
        cheap_endings=True,
    ),
    ProductLine(
        code="fruit",
        noun="水果",
        product_category="生鲜水果",
        items=(
            ("智利车厘子 JJ 级 2 斤装", 89, 169),
            ("海南贵妃芒 5 斤装", 39, 69),
            ("四川丑橘 10 斤装", 49, 89),
            ("陕西徐香猕猴桃 24 个装", 39, 79),
            ("赣南脐橙 9 斤装", 39, 69),
        ),
        faults=(
            "打开一看一半都是烂的",
            "一点都不新鲜，有几个已经发霉了",
            "又酸又涩，根本没法吃",
            "里面全是坏果，还有虫",
            "放了两天就全软了，一捏一包水",
        ),
        mismatches=(
            "说是单果 300 克以上，实际很多都不到 200 克",
            "页面写 5 斤装，连箱子称才 4 斤",
            "宣传说是产地直发，箱子上印的是别的产地",
        ),
        fakes=(
            "宣传的“当天现摘”根本不可能，明显是冷库货",
            "说是进口车厘子，其实是国产的冒充",
        ),
        parts=("少了一袋", "数量不够"),
        gifts=("多送一斤", "试吃装"),
        variants=("大果", "中果", "5 斤装", "10 斤装"),
        hazards=("吃了以后全家上吐下泻，去医院挂了急诊",),
        used_when=(("收到当天打开", 0), ("打开箱子", 0), ("收到第二天", 2), ("拆开一看", 0)),
        cheap_endings=True,
    ),
    ProductLine(
        code="milk",
        noun="牛奶",
        product_category="食品饮料",
        items=(
            ("蒙牛纯牛奶 250ml×24 盒", 49, 79),
            ("牧场鲜奶 全脂 950ml×2 瓶", 29, 49),
            ("儿童成长牛奶 200ml×16 盒", 59, 99),
            ("高钙低脂牛奶 250ml×12 盒", 39, 59),
        ),
        faults=(
            "打开有股酸味，好像已经变质了",
            "有好几盒胀包了",
            "喝起来味道不对，有结块",
            "生产日期是半年前的，马上就过期了",
            "收到的时候已经过期三天了",
        ),
        mismatches=(
            "宣传是全脂，收到的是低脂",
            "说是有机奶，包装上根本没有有机认证",
            "页面写 24 盒，箱子里只有 20 盒",
        ),
        fakes=(
            "宣传“每天一杯，孩子长高 5 厘米”，这是虚假宣传",
            "包装和超市卖的不一样，怀疑是假冒的",
        ),
        parts=("少了一排", "赠品酸奶"),
        gifts=("保温杯", "酸奶一箱", "便携吸管杯"),
        variants=("纯牛奶", "低脂奶", "儿童奶", "早餐奶"),
        hazards=(
            "孩子喝了之后上吐下泻，去医院挂了急诊",
            "喝完全家人都拉肚子，医生说是食物中毒",
        ),
        used_when=(("收到当天打开", 0), ("拆箱的时候", 0), ("喝了两盒", 1), ("打开第一盒", 0)),
        cheap_endings=True,
    ),
    ProductLine(
        code="book",
        noun="书",
        product_category="图书",
        items=(
            ("《百年孤独》精装版", 39, 69),
            ("高考数学真题汇编 全套", 49, 98),
            ("儿童绘本 全 10 册", 69, 158),
            ("《三体》全集 三册", 69, 128),
            ("考研英语词汇书", 29, 59),
        ),
        faults=(
            "有十几页印刷模糊看不清",
            "缺页，从 120 页直接跳到 137 页",
            "装订脱胶，一翻就散了",
            "有很重的油墨味，孩子没法看",
            "封面有折痕和污渍",
        ),
        mismatches=(
            "买的是精装版，发来的是平装",
            "说是最新第三版，收到的是第一版",
            "页面写全 10 册，实际是 8 册",
        ),
        fakes=(
            "明显是盗版书，纸张很差，错别字一大堆",
            "没有出版社的防伪标，和书店买的正版对比是盗版",
        ),
        parts=("套装少了一册", "随书光盘", "答案册"),
        gifts=("书签", "帆布袋", "手账本"),
        variants=("精装版", "平装版", "第二版", "第三版"),
        used_when=(("刚翻了几页", 0), ("拆开塑封", 0), ("收到一看", 0), ("孩子刚看了两天", 3)),
    ),
    ProductLine(
        code="furniture",
        noun="家具",
        product_category="家居家具",
        items=(
            ("北欧布艺沙发 三人位", 1999, 3999),
            ("实木书桌 1.2 米", 599, 1299),
            ("儿童上下床", 1499, 2999),
            ("四门推拉衣柜", 1299, 2599),
        ),
        faults=(
            "坐了一个月就塌了",
            "板材有很刺鼻的气味，开窗通风一个月还有",
            "桌腿一直晃，螺丝孔都对不上",
            "表面油漆起皮掉渣",
        ),
        mismatches=(
            "说是实木，拆开里面是颗粒板",
            "颜色和图片差太多，图片是原木色，实物偏红",
            "尺寸比页面标的小了十几厘米",
        ),
        fakes=("宣传 E0 级环保，拿不出检测报告，虚假宣传",),
        parts=("一包螺丝", "安装说明书", "一块隔板"),
        gifts=("抱枕", "免费上门安装"),
        variants=("原木色", "胡桃色", "1.2 米", "1.5 米"),
        hazards=(
            "请第三方检测甲醛严重超标，孩子住进去后一直咳嗽",
            "床的护栏断了，孩子从上铺摔下来受伤住院",
        ),
        durable=True,
    ),
)

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


# ── Fragments ───────────────────────────────────────────────────────────────────────

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
FAMILY: tuple[str, ...] = ("我爸妈", "家里老人", "孩子", "我老婆", "我老公", "女朋友", "公司同事")

PURCHASE: tuple[str, ...] = (
    "我{when}在{store}买了{item}，花了{amount}元。",
    "{when}在你们{platform}店下单的{item}，{recv}。",
    "订单号 {order_no}，{when}买的{noun}，{recv}。",
    "{item}，{recv}。",
    "{when}给{family}买的{item}，{amount}元。",
    "在你们店买了{item}，实付{amount}元，{recv}。",
    "{when}买的{noun}，",
)
PURCHASE_LIVE: tuple[str, ...] = (
    "{when}在{host}的直播间抢的{item}，{amount}元。",
    "看{host}直播下单的{item}，主播说是全网最低价，{recv}。",
    "{when}在直播间买的{noun}，主播一直说品质有保证。",
)

PROBLEMS: dict[Category, tuple[str, ...]] = {
    Category.QUALITY: (
        "{noun}质量太差了，{fault}。",
        "{fault}，这质量也太差了吧。",
        "{used}，{fault}。",
        "{used}就发现问题了：{fault}。",
        "{fault}，太让人失望了。",
    ),
    Category.NOT_AS_DESCRIBED: (
        "收到的和图片差太多了，{mismatch}。",
        "{mismatch}，与描述严重不符。",
        "实物跟详情页完全不一样：{mismatch}。",
        "{mismatch}，这不是描述的那样。",
    ),
    Category.COUNTERFEIT: (
        "{fake}。",
        "怀疑买到了假货，{fake}。",
        "你们卖的根本不是正品，{fake}。",
        "{fake}，简直是欺骗消费者。",
    ),
    Category.PRICE_PROMOTION: (
        "刚买完第二天就降价了{diff}元，申请价保被拒绝了。",
        "我买的时候{amount}元，现在活动价只要{lower}元，要求退差价。",
        "说好的店铺满减立减{diff}元，结算时没有减，多付了钱。",
        "领了{diff}元优惠券，下单的时候没有抵扣，客服说是活动规则。",
        "下单时说送{gift}，结果赠品没给，客服说赠完为止。",
        "页面标价{lower}元，付款时变成了{amount}元，标价错误。",
        "页面写的包邮，结果另外收了{fee}元运费，乱收费。",
    ),
    Category.WRONG_OR_MISSING: (
        "我买的是{variant}，发来的是{variant2}，发错货了。",
        "包裹里{part}没有，少发了。",
        "说好的赠品{gift}没在包裹里，漏发了。",
        "订单是两件只收到一件，少了一件。",
        "发错了，买的{item}，收到的是别的型号。",
        "拆开发现{part}没有，配件不全。",
    ),
    Category.SHIPPING_DELAY: (
        "下单{n}天了还没发货。",
        "说好 48 小时内发货，现在都第{n}天了，迟迟不发货。",
        "预售说 7 天发货，一拖再拖，已经等了{n}天。",
        "问客服什么时候发，一直说在排单，下单{n}天还没发。",
        "物流信息一直停在“商家已接单”，{n}天了没动。",
    ),
    Category.LOGISTICS: (
        "物流{n}天没更新了，一直卡在中转站。",
        "快递显示已签收，但我根本没收到。",
        "箱子压坏了，里面的{noun}也摔坏了。",
        "包装太简陋，就一个塑料袋，{noun}都破损了。",
        "快递员不送上门，直接放驿站也不通知，东西放了好几天。",
        "快递送错地址了，送到隔壁小区去了。",
        "快递员态度很差，打电话说不了两句就挂。",
        "包裹丢了，快递公司说找不到了。",
    ),
    Category.OUT_OF_STOCK: (
        "付款以后商家说没货了。",
        "等了一周才告诉我缺货，直接把订单取消了。",
        "说是断货了，让我再等半个月。",
        "活动价抢到的，商家说库存不足让我申请退款。",
        "客服说这款没货了，让我换别的款，我不想换。",
    ),
    Category.SERVICE: (
        "客服态度太差了，问两句就不耐烦。",
        "联系客服三次都不回复。",
        "客服一直是机器人自动回复，转人工也转不了。",
        "客服说话阴阳怪气，说我不会用。",
        "互相推脱，客服让我找快递，快递让我找商家。",
        "客服答应给我回电话，结果一直没打。",
        "电话打了十几个都没人接，在线客服也不理人。",
    ),
    Category.RETURN_REFUND: (
        "申请退货被拒绝了，说影响二次销售。",
        "退货寄回去{n}天了，退款还没到账。",
        "七天无理由退货，商家不同意。",
        "说好退款三天到账，到现在都一个星期了。",
        "退货运费要我自己出，运费险也没赔。",
        "商家收到退货以后说有使用痕迹，拒绝退款。",
        "换货申请提交了{n}天一直没人审核。",
    ),
    Category.REPAIR_INSTALLATION: (
        "保修期内申请维修，说是人为损坏不给保修。",
        "送修快一个月了还没修好。",
        "约好上门安装，师傅没来也没通知。",
        "安装师傅多收了{fee}元材料费，说是必须的。",
        "上门安装的师傅把墙打坏了，拍拍屁股就走了。",
        "附近没有售后网点，要我自己寄到外地去修。",
        "维修师傅上门检测收了{fee}元，问题也没解决。",
    ),
    Category.OTHER: (
        "你们家的营销短信太多了，退订了还在发。",
        "买完就后悔了，说不上哪里不好，就是不喜欢。",
        "感觉不值这个价，心里不舒服。",
        "你们这个牌子的新包装太难看了。",
        "总之就是很不满意，具体我也说不清。",
        "你们家广告铺天盖地，看着就烦。",
        "代言人我很不喜欢，以后不会再买了。",
    ),
}

# The second problem of a complex case, by primary category.
SECOND_PROBLEM: dict[Category, tuple[Category, ...]] = {
    Category.QUALITY: (Category.SERVICE, Category.RETURN_REFUND, Category.LOGISTICS),
    Category.NOT_AS_DESCRIBED: (Category.SERVICE, Category.RETURN_REFUND),
    Category.COUNTERFEIT: (Category.SERVICE, Category.RETURN_REFUND),
    Category.PRICE_PROMOTION: (Category.SERVICE,),
    Category.WRONG_OR_MISSING: (Category.SERVICE, Category.RETURN_REFUND),
    Category.SHIPPING_DELAY: (Category.SERVICE,),
    Category.LOGISTICS: (Category.SERVICE,),
    Category.OUT_OF_STOCK: (Category.SERVICE,),
    Category.SERVICE: (Category.RETURN_REFUND,),
    Category.RETURN_REFUND: (Category.SERVICE, Category.LOGISTICS),
    Category.REPAIR_INSTALLATION: (Category.SERVICE, Category.QUALITY),
    Category.OTHER: (Category.SERVICE,),
}
# A second problem must not contradict the first: only packaging and couriers for logistics.
SECOND_TEMPLATES: dict[Category, tuple[str, ...]] = {
    Category.LOGISTICS: (
        "包装太简陋，就一个塑料袋，外箱都破了。",
        "快递员态度很差，打电话说不了两句就挂。",
        "快递员不送上门，直接放驿站也不通知。",
    ),
}
SECOND_LEAD: tuple[str, ...] = ("而且", "更气人的是，", "另外，", "还有，", "不光这样，")
# Disputed facts or responsibility: what makes a one-problem case complex.
_DISPUTED_COMMON: tuple[str, ...] = (
    "商家只同意补偿 10 元，我觉得太少了。",
    "客服说这是平台的规则，跟他们没关系，我不认可。",
)
_DISPUTED_GOODS: tuple[str, ...] = (
    "商家说是我自己使用不当造成的，我绝对没有。",
    "客服坚持说发货前检查过没问题，责任在我，我不认可。",
)
DISPUTED_FACTS: dict[Category, tuple[str, ...]] = {
    c: _DISPUTED_COMMON
    + (
        _DISPUTED_GOODS
        if c in (Category.QUALITY, Category.NOT_AS_DESCRIBED, Category.COUNTERFEIT,
                 Category.WRONG_OR_MISSING, Category.REPAIR_INSTALLATION,
                 Category.RETURN_REFUND)
        else ("商家和快递互相推责任，谁都不管。",)
        if c == Category.LOGISTICS
        else ()
    )
    for c in Category
}  # fmt: skip
EVIDENCE: tuple[str, ...] = (
    "照片和视频我都拍了。",
    "开箱视频我有，可以发给你们。",
    "聊天记录我都截图了。",
    "快递面单我拍照留着。",
    "已经在订单里上传了图片。",
    "购物凭证和付款记录都在。",
)
FEELINGS: tuple[str, ...] = (
    "太失望了。",
    "真的很生气！",
    "非常不满意。",
    "心情很差。",
    "浪费我的时间。",
    "第一次在你们家买就遇到这种事。",
    "以后再也不会买了。",
    "老顾客了，这次真的寒心。",
    "本来是送人的，现在太尴尬了。",
    "孩子等着用，耽误事。",
    "本来挺信任你们的。",
    "这都什么事啊！",
    "希望你们重视一下。",
    "希望认真对待。",
    "花钱买气受。",
    "真的无语了。",
)
EXPECT: dict[str, tuple[str, ...]] = {
    REFUND: (
        "要求全额退款。",
        "请尽快把钱退给我。",
        "东西不用退了，直接退款吧。",
        "退{claim}元给我。",
    ),
    RETURN_REFUND: (
        "我要退货退款。",
        "申请退货退款，来回运费你们出。",
        "要求七天无理由退货退款。",
        "东西我不要了，退货退款。",
    ),
    EXCHANGE: (
        "给我换个新的。",
        "要求换货，换一个没问题的。",
        "请给我换成正确的{variant}。",
        "换货，并且尽快发出。",
    ),
    REPAIR: (
        "请尽快安排师傅上门维修。",
        "要求免费保修。",
        "希望尽快修好，不要再拖了。",
    ),
    RESHIP: (
        "请尽快补发。",
        "把少的{part}补发给我。",
        "重新给我发一份。",
    ),
    COMPENSATION: (
        "要求赔偿{claim}元。",
        "要求按规定赔偿损失。",
        "要求退一赔三。",
        "补偿{claim}元，不然这事没完。",
    ),
    APOLOGY: (
        "要求客服给我道歉。",
        "给个说法，并且道歉。",
        "必须给我一个书面道歉。",
    ),
    OTHER: (
        "希望给个合理的解释。",
        "请尽快处理。",
        "给个说法吧。",
        "请尽快发货。",
    ),
}
EXPECT_TEXT: dict[str, tuple[str, ...]] = {
    REFUND: ("全额退款", "退款{claim}元", "尽快退款"),
    RETURN_REFUND: ("退货退款", "退货退款，运费由商家承担", "七天无理由退货"),
    EXCHANGE: ("换货", "换新", "换成正确的商品"),
    REPAIR: ("免费维修", "上门维修", "保修"),
    RESHIP: ("补发", "补发缺少的商品", "重新发货"),
    COMPENSATION: ("赔偿{claim}元", "赔偿损失", "退一赔三"),
    APOLOGY: ("道歉", "书面道歉", "客服道歉"),
    OTHER: ("给个说法", "尽快处理", "尽快发货"),
}
EXPECTATION_WEIGHTS: dict[Category, tuple[tuple[str, int], ...]] = {
    Category.QUALITY: ((RETURN_REFUND, 35), (EXCHANGE, 25), (REFUND, 15), (REPAIR, 10),
                       (COMPENSATION, 10), (OTHER, 5)),
    Category.NOT_AS_DESCRIBED: ((RETURN_REFUND, 45), (EXCHANGE, 20), (REFUND, 15),
                                (COMPENSATION, 15), (OTHER, 5)),
    Category.COUNTERFEIT: ((RETURN_REFUND, 35), (COMPENSATION, 45), (REFUND, 15),
                           (APOLOGY, 5)),
    Category.PRICE_PROMOTION: ((REFUND, 55), (COMPENSATION, 25), (OTHER, 20)),
    Category.WRONG_OR_MISSING: ((RESHIP, 45), (EXCHANGE, 35), (REFUND, 15), (OTHER, 5)),
    Category.SHIPPING_DELAY: ((REFUND, 35), (OTHER, 35), (COMPENSATION, 20), (APOLOGY, 10)),
    Category.LOGISTICS: ((RESHIP, 30), (REFUND, 30), (COMPENSATION, 25), (OTHER, 15)),
    Category.OUT_OF_STOCK: ((REFUND, 40), (OTHER, 30), (COMPENSATION, 30)),
    Category.SERVICE: ((APOLOGY, 60), (OTHER, 30), (COMPENSATION, 10)),
    Category.RETURN_REFUND: ((REFUND, 60), (RETURN_REFUND, 25), (COMPENSATION, 15)),
    Category.REPAIR_INSTALLATION: ((REPAIR, 60), (COMPENSATION, 15), (EXCHANGE, 15),
                                   (REFUND, 10)),
    Category.OTHER: ((OTHER, 70), (APOLOGY, 30)),
}  # fmt: skip

# Threats: (phrase, escalation route or "" for a bad review). Strong ones make a case major.
STRONG_THREATS: tuple[tuple[str, str], ...] = (
    ("再不给解决，我就打 12315 投诉你们。", REGULATOR),
    ("我已经向 12315 反映了，市场监管局会联系你们。", REGULATOR),
    ("准备去消协投诉。", CONSUMER_ASSOCIATION),
    ("已经向消费者协会递交了投诉材料。", CONSUMER_ASSOCIATION),
    ("我已经咨询了律师，协商不成就起诉。", LAWSUIT),
    ("实在不行就走法律途径，法院见。", LAWSUIT),
    ("我会把这件事发到微博和小红书上曝光。", PLATFORM),
    ("已经联系了本地电视台的维权栏目，让媒体来评评理。", PLATFORM),
)
MILD_THREATS: tuple[tuple[str, str], ...] = (
    ("不处理的话我只能给差评了。", ""),
    ("差评我已经写好了。", ""),
    ("我会申请平台介入。", PLATFORM),
    ("再拖我就投诉到平台。", PLATFORM),
)
GROUP_COMPLAINT: tuple[str, ...] = (
    "我们小区团购群里十几个人买的同一批{noun}都有这个问题，准备集体投诉。",
    "直播间评论区很多人都反映了同样的问题，我们已经建群准备集体投诉。",
    "同事和邻居买的也一样，我们二十多个人一起投诉。",
)
REPEAT_REPAIR: tuple[str, ...] = (
    "修了两次又坏了，还是同样的问题。",
    "上个月刚修过，同样的故障又出现了，这是第三次了。",
)
HARM_LEAD: tuple[str, ...] = ("更严重的是，", "最可怕的是，", "", "关键是")


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
