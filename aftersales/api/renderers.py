"""JSON with times in Asia/Shanghai (+08:00), the zone our users read."""

import datetime as dt

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ShanghaiEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class ShanghaiJSONRenderer(JSONRenderer):
    encoder_class = ShanghaiEncoder
    json_dumps_params = {"ensure_ascii": False}
