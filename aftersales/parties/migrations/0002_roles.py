"""The SPEC §1 roles as Django groups, and a default mediation team."""

from django.db import migrations

ROLES = [
    "agent", "team_lead", "operations", "quality_control", "legal", "logistics", "finance",
    "supervisor", "management", "admin",
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("parties", "Team")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    if not Team.objects.exists():
        Team.objects.create(code="default", name="默认调解小组", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
