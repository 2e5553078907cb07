"""The contact log (联系记录) and internal notes (内部备注) of a dispute."""

from ninja import Router

router = Router()
