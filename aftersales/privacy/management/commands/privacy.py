"""aftersales privacy export --phone P | erase --phone P --reason R (docs/security.md)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aftersales.common.phones import InvalidPhone
from aftersales.privacy.erase import personal_data_erase
from aftersales.privacy.export import json_default, personal_data_export
from aftersales.privacy.holdings import subject_for


class Command(BaseCommand):
    help = (
        "个人信息：export 以 JSON 输出某顾客的全部个人信息；erase 匿名化已结案且超过保存期限的"
        "投诉中的个人信息 / Personal data: export everything held about a customer as JSON; "
        "erase anonymises it on disputes closed longer ago than PRIVACY_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="JSON of everything held about a customer")
        export.add_argument("--phone", required=True, help="手机号或固定电话 / the phone")
        erase = actions.add_parser("erase", help="anonymise what is past retention")
        erase.add_argument("--phone", required=True, help="手机号或固定电话 / the phone")
        erase.add_argument("--reason", required=True, help="依据，例如顾客的删除请求编号")

    def handle(self, *args, action: str, phone: str, **options):
        try:
            subject = subject_for(phone)
        except InvalidPhone:
            raise CommandError(_("手机号格式不正确：%(phone)s") % {"phone": phone}) from None
        if action == "export":
            result = personal_data_export(subject=subject)
        else:
            reason = options["reason"].strip()
            if not reason:
                raise CommandError(_("请填写匿名化的依据（--reason）"))
            result = personal_data_erase(subject=subject, reason=reason).as_dict()
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=json_default))
