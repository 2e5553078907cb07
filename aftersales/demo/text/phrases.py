"""Fragments of complaint texts: how customers say what they bought, what went wrong
in each category, the evidence they have, how they feel, what they expect and how they
threaten to escalate."""

from aftersales.disputes.taxonomy import Category

from .common import (
    APOLOGY,
    COMPENSATION,
    CONSUMER_ASSOCIATION,
    EXCHANGE,
    LAWSUIT,
    OTHER,
    PLATFORM,
    REFUND,
    REGULATOR,
    REPAIR,
    RESHIP,
    RETURN_REFUND,
)

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
