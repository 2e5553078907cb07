"""The demo's staff: one login per role (username = role code, the public demo
password), the two mediation teams, and the team lead of the default team."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from aftersales.parties.services import staff_create

DEMO_PASSWORD = "demo12345"

# (role, display name, team code or None)
DEMO_STAFF: tuple[tuple[Role, str, str | None], ...] = (
    (Role.AGENT, "王晓敏", "team-1"),
    (Role.TEAM_LEAD, "李建国", "team-1"),
    (Role.OPERATIONS, "张丽华", None),
    (Role.QUALITY_CONTROL, "陈志强", None),
    (Role.LEGAL, "刘文静", None),
    (Role.LOGISTICS, "赵磊", None),
    (Role.FINANCE, "孙芳", None),
    (Role.SUPERVISOR, "周敏", None),
    (Role.MANAGEMENT, "吴海涛", None),
    (Role.ADMIN, "郑宇", None),
)
DEMO_TEAMS: tuple[tuple[str, str], ...] = (("team-1", "调解一组"), ("team-2", "调解二组"))
# Handlers of 调解二组 named on its timelines (no logins of their own).
TEAM2_HANDLERS: tuple[str, ...] = ("何静", "马超", "罗佳慧")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    role_label: str
    display_name: str
    team_name: str
    created: bool


def ensure_demo_teams() -> dict[str, Team]:
    teams = {code: Team.objects.get_or_create(code=code, defaults={"name": name})[0]
             for code, name in DEMO_TEAMS}  # fmt: skip
    default = Team.objects.filter(is_default=True).order_by("id").first()
    if default is None:
        default = Team.objects.create(code="default", name="默认调解小组", is_default=True)
    teams["default"] = default
    return teams


@transaction.atomic
def ensure_demo_staff() -> list[DemoLogin]:
    """One user per role, username = role code. Existing users are left alone."""
    teams = ensure_demo_teams()
    users = get_user_model().objects
    logins, new = [], []
    for role, display_name, team_code in DEMO_STAFF:
        team = teams[team_code] if team_code else None
        created = not users.filter(username=role.value).exists()
        if created:
            user = staff_create(
                username=role.value,
                password=None,  # set below: one hash for all, not ten slow ones
                role=role,
                display_name=display_name,
                team=team,
                email=f"{role.value}@demo.invalid",
            )
            new.append(user.pk)
        logins.append(
            DemoLogin(
                username=role.value,
                password=DEMO_PASSWORD,
                role=role.value,
                role_label=str(Role(role).label),
                display_name=display_name,
                team_name=team.name if team else "",
                created=created,
            )
        )
    if new:
        users.filter(pk__in=new).update(password=make_password(DEMO_PASSWORD))
    # The team lead also routes what lands in the default team.
    lead = users.filter(username=Role.TEAM_LEAD.value).first()
    if lead is not None:
        Team.objects.filter(pk=teams["default"].pk, lead__isnull=True).update(lead=lead)
    return logins
