"""aftersales token create USERNAME [--label L]: print a new API bearer token, alone on its
last line. aftersales token revoke PREFIX: revoke tokens starting with PREFIX."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.parties.models import ApiToken
from aftersales.parties.services import token_create


class Command(BaseCommand):
    help = "Create or revoke API bearer tokens (创建或吊销 API 令牌)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--label", default="")
        revoke = sub.add_parser("revoke", help="revoke tokens by prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, verb, **options):
        if verb == "create":
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"用户不存在 / no such user: {options['username']}")
            if not user.is_active:
                raise CommandError(f"用户已停用 / user is inactive: {options['username']}")
            key = token_create(user=user, label=options["label"])
            self.stdout.write(key)
            return
        count = ApiToken.objects.filter(
            prefix__startswith=options["prefix"][:8], revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        self.stdout.write(f"revoked {count}")
