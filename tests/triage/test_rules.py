"""Keyword rules: safety, health, escalation and group signals on their own, and their
precedence over the model's vote."""

import pytest

from aftersales.triage.classifier import TriageModel
from aftersales.triage.rules import Kind, apply_rules, normalise
from aftersales.triage.training import Example, train


def rules(text: str):
    return apply_rules(normalise(text))


@pytest.mark.parametrize(
    "text",
    [
        "热水器漏电，洗澡的时候被电到了",
        "充电宝充着电突然冒烟，差点起火",
        "电动车电池在楼道里自燃了",
        "锅柄断了，手被烫伤起了水泡",
        "孩子吃了以后上吐下泻，去医院挂了急诊",
        "用完脸上红肿起疹子，严重过敏",
        "吃了你们的牛肉干全家拉肚子",
        "這個電熱毯冒煙了，太危險了",  # Traditional
    ],
)
def test_safety_and_health_harm_are_major(text):
    result = rules(text)
    assert result.major and result.harm
    assert not result.escalation


@pytest.mark.parametrize(
    "text",
    [
        "用了一个月了，没有过敏，就是味道不好闻",
        "以前从来没过敏过，这次也还好，只是有点干",
        "没有漏电的问题，就是噪音大",
    ],
)
def test_negated_harm_does_not_fire(text):
    assert not rules(text).harm


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ("再不退款我就打12315投诉", True),
        ("我已经向消协投诉了", True),
        ("你们卖假货，我要去市场监管局举报", True),
        ("准备找律师起诉你们", True),
        ("不解决我就找媒体曝光", True),
        ("質量太差，我要向消保會投訴", True),  # Traditional, Taiwan's consumer body
        ("今天看了315晚会，想起买的洗发水", False),  # a mention, not a threat
        ("质量太差了，差评", False),
        ("蒙牛又被曝光质量问题了", False),
        ("@消费者投诉 这牛奶喝出了虫子", True),
    ],
)
def test_escalation_mentions_and_threats(text, major):
    result = rules(text)
    assert result.escalation
    assert any(h.kind in (Kind.AUTHORITY, Kind.BAD_REVIEW) for h in result.hits)
    assert result.major is major


@pytest.mark.parametrize(
    "text",
    [
        "这次不会给差评，但是希望改进",
        "我要投诉你们的客服，态度太差了",  # a complaint to the shop is not escalation
        "已经投诉到平台了，等处理",
        "多媒体播放器打开很慢",
        "拍照曝光过度，夜景很糊",
    ],
)
def test_not_escalation(text):
    assert not rules(text).escalation


@pytest.mark.parametrize(
    "text",
    [
        "我们小区好多人都买到了，大家准备集体投诉",
        "不止我一个，同事买的也一样坏了",
        "洗衣机修了又坏，已经第三次了",
        "送去维修了两次还是不行",
        "返修回来用了一周又出现同样的问题",
    ],
)
def test_group_and_repeated_repair_are_major(text):
    assert rules(text).major
    assert not rules(text).escalation


def test_signals_name_the_rule_and_the_word():
    assert "安全隐患:漏电" in rules("插座漏电").signals
    assert "升级风险:12315" in rules("我要打12315").signals


@pytest.fixture(scope="module")
def logistics_model() -> TriageModel:
    """A model that has only ever seen logistics and service complaints, so its vote is
    never quality: whatever these tests get as quality/major comes from the rules."""
    base = ["快递太慢了", "物流一直不更新", "快递员不送上门", "包裹压坏了", "快递丢件了"]
    service = ["客服不理人", "客服态度差", "客服不回复消息", "客服推卸责任", "客服骂人"]
    examples = [Example(t, "logistics") for t in base] + [Example(t, "service") for t in service]
    return TriageModel(train(examples, folds=1))


def test_harm_overrides_the_models_category(logistics_model):
    text = "快递送来的热水器漏电，洗澡被电到了"
    probs = logistics_model.model.predict_proba(logistics_model.vectorizer.transform([text]))
    assert "quality" not in logistics_model.classes  # the model cannot say quality
    assert probs.shape[1] == 2
    (result,) = logistics_model.classify_many([text])
    assert result.category == "quality"
    assert result.severity == "major"
    assert "安全隐患:漏电" in result.signals


def test_escalation_is_kept_whatever_the_model_says(logistics_model):
    (result,) = logistics_model.classify_many(["快递太慢了，再不处理我就打12315投诉"])
    assert result.category == "logistics"
    assert result.escalation_risk is True
    assert result.severity == "major"


def test_a_bad_review_threat_alone_is_not_major(logistics_model):
    (result,) = logistics_model.classify_many(["快递太慢了，差评"])
    assert result.escalation_risk is True
    assert result.severity != "major"


def test_counterfeit_keeps_its_place_over_harm():
    examples = [Example(t, "counterfeit") for t in ["假货", "不是正品", "高仿的假货"]] + [
        Example(t, "logistics") for t in ["快递慢", "物流慢", "快递压坏了"]
    ]
    model = TriageModel(train(examples, folds=1))
    (result,) = model.classify_many(["假货，不是正品，用了过敏"])
    assert result.category == "counterfeit"
    assert result.severity == "major"
