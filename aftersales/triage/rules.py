"""Keyword rules for triage: the signals that must never be lost to a model's vote.

Rules read the normalised text (Simplified, half-width, case-folded; see `normalise`).
Safety, health harm, escalation, group complaints and repeated repair decide severity
and escalation risk on their own; category cues only add secondary categories. Every
rule has a stable `name` (for code) and a Chinese `label` (for the signal an agent sees).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import opencc

from aftersales.common.text import search_form


class Kind(StrEnum):
    SAFETY = "safety"  # 安全隐患 → major, primary quality
    HEALTH = "health"  # 人身/健康损害 → major, primary quality
    AUTHORITY = "authority"  # 监管/法律/媒体 → escalation; major when threatened or done
    BAD_REVIEW = "bad_review"  # 差评 → escalation only
    GROUP = "group"  # 集体投诉 → major
    REPEAT_REPAIR = "repeat_repair"  # 修了又坏 → major
    CUE = "cue"  # 类别关键词 → secondary category


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    kind: Kind
    pattern: re.Pattern[str]
    category: str | None = None
    # A match right after one of these (same clause) does not count: 没有过敏, 不会给差评.
    negation: re.Pattern[str] | None = None
    # An authority mention is a threat (major) only with an action verb around it.
    always_major: bool = False


@dataclass(frozen=True)
class RuleHit:
    rule: str
    label: str
    kind: Kind
    word: str
    category: str | None
    major: bool

    @property
    def signal(self) -> str:
        return f"{self.label}:{self.word}"


@dataclass(frozen=True)
class RuleResult:
    hits: tuple[RuleHit, ...]

    @property
    def major(self) -> bool:
        return any(h.major for h in self.hits)

    @property
    def escalation(self) -> bool:
        return any(h.kind in (Kind.AUTHORITY, Kind.BAD_REVIEW) for h in self.hits)

    @property
    def harm(self) -> bool:
        """Safety hazard or health harm: the handler must act on the product first."""
        return any(h.kind in (Kind.SAFETY, Kind.HEALTH) for h in self.hits)

    @property
    def cue_categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for h in self.hits:
            if h.category:
                seen.setdefault(h.category, None)
        return tuple(seen)

    @property
    def signals(self) -> list[str]:
        out: dict[str, None] = {}
        for h in self.hits:
            out.setdefault(h.signal, None)
        return list(out)


def normalise(text: str) -> str:
    """The form every triage step reads: Simplified, half-width, case-folded.

    Text goes to Traditional first and back: OpenCC's t2s alone reads a few Simplified
    words as Traditional ones (打坏 → 打坯) and keeps regional variants (想像/想象)
    apart, so the same complaint typed in either script would not read the same."""
    if not text:
        return ""
    traditional = _s2t().convert(text)
    # s2t is not always idempotent (想象成 → 想象成 → 想像成): convert until it is.
    for _ in range(3):
        again = _s2t().convert(traditional)
        if again == traditional:
            break
        traditional = again
    return search_form(traditional)


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Negation / hypothesis directly before the keyword, in the same clause.
_NOT_SAFETY = _rx(
    r"(没有|没|不|无|未|从来没|从没|从未|并没|并未|不会|不曾|以为|担心|害怕|万一|会不会|是不是)"
    r"(出现|发生|有|引起|导致|造成|会)?$"
)
_NOT_HEALTH = _rx(
    r"(没有|没|不|无|未|从来没|从没|从未|并没|并未|不会|不曾|万一|会不会|是不是|担心|"
    r"怕|如果|以免|防止|避免|预防|估计|以为|容易|感觉自己)(出现|发生|有|引起|导致|造成|会|要)?$|"
    r"(不知道|是不是|还是)[^，。！？]{0,8}$"
)
_NOT_REVIEW = _rx(
    r"(不会|不想|不愿|不给|没给|没有给|不打算|不用|不必|不至于|舍不得)(给|打)?(个|你|你们)?$"
)

# An action towards an authority (threat or fact): 打12315, 向消协投诉, 找媒体, 12315维权.
_ACTION_BEFORE = _rx(
    r"(打|找|去|向|到|给|联系|求助|寻求|报|投诉|举报|反映|反应|申诉|让|请|要|会|准备|"
    r"已经|直接|告|诉求|拨打|上|交给|提交)[^，。！？!?,;；]{0,4}$|@[^，。！？!?,;；\s]{0,8}$"
)
_ACTION_AFTER = _rx(
    r"^[^，。！？!?,;；]{0,3}(投诉|举报|维权|解决|反映|反应|曝光|介入|帮|申冤|打假|告)"
)

_CLAUSE_START = _rx(r"[，。！？!?,;；\s]")

SAFETY = Rule(
    "safety_hazard",
    "安全隐患",
    Kind.SAFETY,
    _rx(
        r"漏电|触电|被电(到|了|击)|电(到|击)(了|我)|麻手|手(指)?(有点|发)?麻|酥麻|起火|着火|失火|"
        r"自燃|(?<!到)爆炸(?!了一样|一样)|炸伤|(?<![要得])冒烟|冒火花|火花|烧焦|焦味|焦糊|烧化|"
        r"烧黑|烧毁|(燃气|煤气|天然气)[^，。！？]{0,6}(漏|泄)|煤气味|鼓包|短路|刹车失灵|"
        r"生命危险|(太|很|非常|特别|十分)危险|安全隐患|甲醛"
    ),
    category="quality",
    negation=_NOT_SAFETY,
)
HEALTH = Rule(
    "health_harm",
    "健康损害",
    Kind.HEALTH,
    _rx(
        r"过敏|中毒|拉肚子|腹泻|闹肚子|拉稀|上吐下泻|呕吐|吐了|住院|急诊|挂水|打点滴|看医生|"
        r"(去|进|上|跑)(了)?(一趟|趟)?医院|医院(检查|看|挂|急诊|治疗|打|拍)|"
        r"受伤(了)?(住院|去医院|进医院)|(手(?![机表环柄])|脸|皮肤|嘴|腿|脚|孩子|宝宝|人|眼睛)"
        r"[^，。！？]{0,4}(划伤|割伤|划破|割破|烫伤|摔伤|受伤|流血)|烫伤|摔伤|骨折|红肿|肿了|起疹|疹子|流脓|"
        r"(熏|闻|喝|吃)[^，。！？]{0,8}(头疼|头痛|头晕)|头疼欲裂|头晕恶心|胃疼|胃痛|肚子疼|"
        r"肚子痛|发烧|毁容|脱发|咳嗽|烧灼|灼伤|有毒|致癌|皮炎|长痘|痘痘|起包|长包|心慌|胸闷|窒息"
    ),
    category="quality",
    negation=_NOT_HEALTH,
)
AUTHORITY = Rule(
    "authority",
    "升级风险",
    Kind.AUTHORITY,
    _rx(
        r"12315|12345|(?<!\d)315(?!\d)|消协|消费.?协会|消保会|消基会|消费者权益|消保法|"
        r"工商(?!银行)|市场监(管|督)|质监|质检(总)?局|技术监督|食药监|药监|监管(部门|局|机构)|监察部门|"
        r"有关部门|相关部门|政府部门|消费者投诉|黑猫投诉|维权电话|举报|(?<!多)媒体|记者|电视台|"
        r"曝光(?!度|过度|不足|补偿|时间|很|都很|严重)|微博|发到网上|网上曝|朋友圈"
    ),
)
LEGAL = Rule(
    "legal_action",
    "法律行动",
    Kind.AUTHORITY,
    _rx(
        r"起诉|法院|律师|诉讼|打官司|法庭|仲裁|立案|告(你们|他们|商家|店家|到)|(去|要|已经|我)报警|报了警"
    ),
    always_major=True,
)
BAD_REVIEW = Rule(
    "bad_review",
    "差评",
    Kind.BAD_REVIEW,
    _rx(r"差评|差平|中差评"),
    negation=_NOT_REVIEW,
)
GROUP = Rule(
    "group_complaint",
    "集体投诉",
    Kind.GROUP,
    _rx(
        r"集体投诉|集体维权|集体起诉|联名|一起(去)?(投诉|维权|起诉|举报)|不止我一(个|人|家)|"
        r"(很多|好多|好几|不少|几十|上百|几百)(个)?(人|同事|朋友|家长|邻居|买家|顾客|户|家)都"
        r"(反映|出现|遇到|买到|投诉|有这个|有同样|拉肚子|过敏|坏)|群里(很多|好多)人"
    ),
    always_major=True,
)
REPEAT_REPAIR = Rule(
    "repeat_repair",
    "反复维修",
    Kind.REPEAT_REPAIR,
    _rx(
        r"修了又坏|越修越坏|(修|返厂|送修|检修|换了?(一|个|块))[^。！？]{0,20}(又|再次)"
        r"(坏|出|有|无法|不能|开不|花屏|黑屏|死机|失灵|不行|重启)|"
        r"(修|维修|返修|返厂|送修|修理|检修|送去)(了)?(两|二|三|四|五|六|好几|几|多|2|3|4|5|6)次|"
        r"(两|二|三|四|2|3|4)次(维修|返修|送修|返厂|修理)|"
        r"第(二|三|四|五|2|3|4|5)次(维修|返修|送修|返厂|修)|(还是|竟然|依然|仍然|都)没(有)?(维)?修好|"
        r"(返修|维修|修)(后|回来|好后|完)[^。！？]{0,10}(还是|依然|仍然)(坏|有|不|是)|"
        r"(修好|修完|修回来)[^。！？]{0,40}(还是|依然|仍然)(不|没|有|会|坏|出)|"
        r"换了(两|三|几|2|3)次|(就|又)要?坏一次|又(坏|出现同样|出了同样)"
    ),
    category="repair_installation",
    always_major=True,
)

# Strong category cues: a text that says 发错了 names a wrong item whatever the model says.
_CUES: tuple[tuple[str, str, str], ...] = (
    (
        "counterfeit",
        "cue_counterfeit",
        r"假货|是假的|假冒|冒牌|高仿|仿品|仿冒|山寨|(不是|非|不像)正品|不是原装|翻新|二手货|水货|"
        r"虚假宣传|夸大宣传|以次充好|三无产品|兑水|掺假",
    ),
    (
        "not_as_described",
        "cue_not_as_described",
        r"(与|和|跟)(图片?|描述|宣传|介绍|详情|页面)[^，。！？,.!?]{0,6}(不符|不一样|不同|差别|相差)|"
        r"色差|货不对板|与描述不符|虚标",
    ),
    (
        "wrong_or_missing",
        "cue_wrong_or_missing",
        r"发错|错发|寄错|少发|漏发|少了(一|两|几)(件|个|瓶|盒|袋|双|本)|"
        r"(没有|没|不给|未)(给)?(开)?(纸质|电子)?发票|发票(没|未|迟迟|还没|都没)|"
        r"(没有|没|无|缺)(保修卡|合格证|说明书|三包卡|数据线|充电器|充电头)|数量不对",
    ),
    (
        "price_promotion",
        "cue_price_promotion",
        r"降价|差价|价保|保价|优惠券|满减|赠品|返现|标价|涨价|乱收费|多收|一天一个价|"
        r"(承诺|说好)的?(赠|送)",
    ),
    (
        "shipping_delay",
        "cue_shipping_delay",
        r"(不|没|未|还没|迟迟不|迟迟没|迟迟未|都没|还不)发货|发货(慢|太慢|很慢|超慢|延迟)|"
        r"延迟发货|待发货|拖着不发",
    ),
    (
        "logistics",
        "cue_logistics",
        r"压坏|压扁|压碎|摔坏|丢件|快递(太|很|超|真)?慢|物流(太|很|超|真)?慢|送错地址|"
        r"不送上门|物流(信息)?(不更新|异常|停滞)|卡在中转",
    ),
    (
        "out_of_stock",
        "cue_out_of_stock",
        r"缺货|没货|无货|断货|没有货|库存不足|停产|砍单|(订单|单)(被)?取消",
    ),
    (
        "service",
        "cue_service",
        r"客服(的)?态度|态度(太|很|极|特别|非常|真)?(差|恶劣|不好)|不理人|没人回复|爱答不理|"
        r"踢皮球|推来推去|推卸责任|敷衍",
    ),
    (
        "return_refund",
        "cue_return_refund",
        r"(不给|不能|不让|拒绝|不予|无法|不同意)(退|换)|退款(没|未|还没|一直|迟迟)|退不了|"
        r"换不了|运费险|退款慢",
    ),
    (
        "repair_installation",
        "cue_repair_installation",
        r"上门安装|安装费|安装师傅|不给(保修|维修|修)|售后网点|维修点|维修费|保修期内",
    ),
)
CATEGORY_CUES: tuple[Rule, ...] = tuple(
    Rule(name, "关键词", Kind.CUE, _rx(pattern), category=category, negation=None)
    for category, name, pattern in _CUES
)

RULES: tuple[Rule, ...] = (
    SAFETY,
    HEALTH,
    LEGAL,
    AUTHORITY,
    BAD_REVIEW,
    GROUP,
    REPEAT_REPAIR,
    *CATEGORY_CUES,
)


def _clause_before(text: str, start: int) -> str:
    lo = max(0, start - 12)
    window = text[lo:start]
    cut = None
    for m in _CLAUSE_START.finditer(window):
        cut = m.end()
    return window[cut:] if cut is not None else window


def _hit(rule: Rule, text: str) -> RuleHit | None:
    first = None
    for m in rule.pattern.finditer(text):
        before = _clause_before(text, m.start())
        if rule.negation is not None and rule.negation.search(before):
            continue
        major = rule.always_major or rule.kind in (Kind.SAFETY, Kind.HEALTH)
        if rule.kind is Kind.AUTHORITY and not major:
            after = text[m.end() : m.end() + 6]
            # 被曝光 / 媒体报道 is news about a brand, not this customer's threat.
            major = not before.endswith("被") and bool(
                _ACTION_BEFORE.search(before) or _ACTION_AFTER.search(after)
            )
        hit = RuleHit(rule.name, rule.label, rule.kind, m.group(0), rule.category, major)
        if major or rule.kind is not Kind.AUTHORITY:
            return hit
        first = first or hit  # keep looking for a threat further on
    return first


# One pass over the text to decide which rules can fire at all (most texts fire none).
_ANY = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in RULES))


def apply_rules(text: str) -> RuleResult:
    """The rules that fire on `text`, which must already be `normalise`d."""
    if not text or not _ANY.search(text):
        return RuleResult(())
    hits = []
    for rule in RULES:
        hit = _hit(rule, text)
        if hit is not None:
            hits.append(hit)
    return RuleResult(tuple(hits))
