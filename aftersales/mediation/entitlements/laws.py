"""The short names of the laws the rules cite, shared by the rules table and the periods."""

SANBAO = "部分商品修理更换退货责任规定"
CAR = "家用汽车产品修理更换退货责任规定"
CPL = "消费者权益保护法"
SAIC90 = "网络购买商品七日无理由退货暂行办法"
