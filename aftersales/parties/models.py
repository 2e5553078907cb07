"""Customers, stores, products, orders, and the staff who handle disputes."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from aftersales.common.phones import mask_phone

from .goods import GoodsKind
from .roles import Department


class Customer(models.Model):
    name = models.CharField("姓名", max_length=100)
    phone = models.CharField("手机号", max_length=20, unique=True)
    email = models.EmailField("电子邮箱", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "顾客"
        verbose_name_plural = "顾客"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def __str__(self) -> str:
        # Never the full phone: __str__ ends up in lists and logs.
        return f"{self.name} ({self.masked_phone})"


class Store(models.Model):
    class Platform(models.TextChoices):
        TAOBAO = "taobao", pgettext_lazy("platform", "淘宝")
        TMALL = "tmall", pgettext_lazy("platform", "天猫")
        JD = "jd", pgettext_lazy("platform", "京东")
        PINDUODUO = "pinduoduo", pgettext_lazy("platform", "拼多多")
        DOUYIN = "douyin", pgettext_lazy("platform", "抖音")
        KUAISHOU = "kuaishou", pgettext_lazy("platform", "快手")
        WECHAT = "wechat", pgettext_lazy("platform", "微信小程序")
        OWN_SITE = "own_site", pgettext_lazy("platform", "官网商城")
        OFFLINE = "offline", pgettext_lazy("platform", "线下门店")

    code = models.SlugField("店铺编码", max_length=50, unique=True)
    name = models.CharField("店铺名称", max_length=100)
    platform = models.CharField("平台", max_length=20, choices=Platform.choices)

    class Meta:
        verbose_name = "店铺"
        verbose_name_plural = "店铺"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_platform_display()}）"


class Product(models.Model):
    GoodsKind = GoodsKind  # where the importers and forms look for it

    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField("商品名称", max_length=200)
    product_category = models.CharField("商品类目", max_length=50, blank=True)
    goods_kind = models.CharField(
        "商品性质", max_length=20, choices=GoodsKind.choices, default=GoodsKind.GENERAL
    )
    warranty_days = models.PositiveIntegerField("保修天数", default=0)
    three_guarantees = models.BooleanField("属于三包目录", default=False)
    list_price = models.DecimalField("标价（元）", max_digits=12, decimal_places=2, null=True)
    components = models.ManyToManyField(
        "self", through="BundleComponent", symmetrical=False, related_name="bundles", blank=True
    )

    class Meta:
        verbose_name = "商品"
        verbose_name_plural = "商品"

    @property
    def is_bundle(self) -> bool:
        return self.bundle_components.exists()

    def __str__(self) -> str:
        return f"{self.name} [{self.sku}]"


class BundleComponent(models.Model):
    """A product inside a bundle (套餐) and its share of the bundle price."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bundle_components")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField("套餐内单价（元）", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "套餐组成"
        verbose_name_plural = "套餐组成"
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_once")
        ]


class Order(models.Model):
    class SaleChannel(models.TextChoices):
        ONLINE = "online", pgettext_lazy("sale channel", "网络购物")
        LIVE_STREAM = "live_stream", pgettext_lazy("sale channel", "直播带货")
        TV = "tv", pgettext_lazy("sale channel", "电视购物")
        PHONE = "phone", pgettext_lazy("sale channel", "电话购物")
        MAIL_ORDER = "mail_order", pgettext_lazy("sale channel", "邮购")
        OFFLINE = "offline", pgettext_lazy("sale channel", "线下门店")

    class PaymentChannel(models.TextChoices):
        PLATFORM_BALANCE = "platform_balance", pgettext_lazy("payment channel", "平台余额")
        ALIPAY = "alipay", pgettext_lazy("payment channel", "支付宝")
        WECHAT_PAY = "wechat_pay", pgettext_lazy("payment channel", "微信支付")
        BANK_QUICKPAY = "bank_quickpay", pgettext_lazy("payment channel", "银行卡快捷支付")
        CREDIT_CARD = "credit_card", pgettext_lazy("payment channel", "信用卡")
        CASH_ON_DELIVERY = "cash_on_delivery", pgettext_lazy("payment channel", "货到付款")
        CASH = "cash", pgettext_lazy("payment channel", "现金")

    order_no = models.CharField("订单号", max_length=64, unique=True)
    platform_order_no = models.CharField("线上单号", max_length=64, blank=True, db_index=True)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", null=True, blank=True
    )
    sale_channel = models.CharField(
        "销售方式", max_length=20, choices=SaleChannel.choices, default=SaleChannel.ONLINE
    )
    amount_paid = models.DecimalField("实付金额（元）", max_digits=12, decimal_places=2)
    payment_channel = models.CharField(
        "支付方式", max_length=20, choices=PaymentChannel.choices, blank=True
    )
    buyer_account = models.CharField("买家账号", max_length=100, blank=True)
    address = models.CharField("收货地址", max_length=255, blank=True)
    paid_at = models.DateTimeField("付款时间", null=True, blank=True)
    shipped_at = models.DateTimeField("发货时间", null=True, blank=True)
    # An order given a signing date only (签收日期, the API's `received_on`) is stored as
    # the start of that day in Asia/Shanghai: the date is what the law's periods count.
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    carrier = models.CharField("快递公司", max_length=50, blank=True)
    tracking_no = models.CharField("快递单号", max_length=64, blank=True)
    # 运费险 (return-shipping insurance) bought with the order: a return of it is insured
    # (the insurer pays the return postage by its tariff); an exchange never is.
    return_shipping_insurance = models.BooleanField("运费险", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"

    def __str__(self) -> str:
        return self.order_no


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.CharField("子订单号", max_length=64, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField("数量", default=1)
    unit_price = models.DecimalField("成交单价（元）", max_digits=12, decimal_places=2)
    # What the buyer paid for the line after discounts; empty on lines recorded before it
    # was kept, which count quantity × unit price.
    paid = models.DecimalField("实付（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "订单明细"
        verbose_name_plural = "订单明细"

    @property
    def total(self):
        return self.unit_price * self.quantity

    @property
    def paid_amount(self):
        return self.paid if self.paid is not None else self.total


class Team(models.Model):
    """A mediation team (调解小组) in customer service; disputes are routed to teams."""

    code = models.SlugField("小组编码", max_length=50, unique=True)
    name = models.CharField("小组名称", max_length=100)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name="组长",
    )
    is_default = models.BooleanField("新纠纷默认小组", default=False)

    class Meta:
        verbose_name = "调解小组"
        verbose_name_plural = "调解小组"

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """What a staff user is beyond the login: department, team, availability."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.CharField(
        "部门",
        max_length=30,
        choices=Department.choices,
        default=Department.CUSTOMER_SERVICE,
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    display_name = models.CharField("显示名", max_length=100, blank=True)
    is_available = models.BooleanField("在岗", default=True)
    # The language of the e-mails this person receives; blank: settings.LANGUAGE_CODE.
    language = models.CharField(
        "邮件语言",
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text="留空则使用系统默认语言（简体中文）",
    )

    class Meta:
        verbose_name = "员工档案"
        verbose_name_plural = "员工档案"

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token itself is
    shown once, when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)
    label = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SavedView(models.Model):
    """A staff member's named set of queue filters (我的视图): the queue's query-string
    parameters, reopened as a link. Services: aftersales.parties.saved_views."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField("名称", max_length=60)
    params = models.JSONField("筛选条件", default=dict)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "保存的视图"
        verbose_name_plural = "保存的视图"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    @property
    def query(self) -> str:
        """The params as a query string (the queue's link)."""
        return urlencode(sorted(self.params.items()))

    def __str__(self) -> str:
        return self.name


class CustomerCode(models.Model):
    """One request for a customer portal code (aftersales.intake.identity): the order
    number and phone as typed, kept only as keyed hashes, and the code's hash. Every
    request leaves a row, matched or not (`order` empty), so the limits count the pair as
    typed and a mismatch costs the same work as a match."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_codes"
    )
    order_key_hash = models.CharField("订单号摘要", max_length=64)
    phone_hash = models.CharField("手机号摘要", max_length=64)
    code_hash = models.CharField("验证码摘要", max_length=64, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    created_at = models.DateTimeField("申请时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "顾客验证码"
        verbose_name_plural = "顾客验证码"
        indexes = [
            models.Index(
                fields=["order_key_hash", "phone_hash", "created_at"], name="customer_code_pair_idx"
            ),
            models.Index(fields=["order_key_hash", "created_at"], name="customer_code_order_idx"),
            models.Index(fields=["ip", "created_at"], name="customer_code_ip_idx"),
            models.Index(
                fields=["order", "phone_hash", "created_at"], name="customer_code_match_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id or '-'} @ {self.created_at:%Y-%m-%d %H:%M}"


class OrderCodeLock(models.Model):
    """Wrong portal codes counted per order (by the keyed hash of its number, so an order
    number that matches nothing locks the same way): too many within the window lock
    every confirmation for that order until `locked_until`."""

    order_key_hash = models.CharField("订单号摘要", max_length=64, unique=True)
    failures = models.PositiveIntegerField("连续错误次数", default=0)
    window_start = models.DateTimeField("计数起点", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "验证码锁定"
        verbose_name_plural = "验证码锁定"

    def __str__(self) -> str:
        return f"{self.order_key_hash[:8]}… ({self.failures})"
