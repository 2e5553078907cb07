"""The roles of SPEC §1, as Django groups, and the departments staff belong to. Labels are
`gettext_lazy` texts on the choices (`Role.AGENT.label`), shown in the reader's language."""

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy


class Role(TextChoices):
    AGENT = "agent", pgettext_lazy("role", "客服专员")
    TEAM_LEAD = "team_lead", pgettext_lazy("role", "调解小组组长")
    OPERATIONS = "operations", pgettext_lazy("role", "运营部门")
    QUALITY_CONTROL = "quality_control", pgettext_lazy("role", "质量管控部门")
    LEGAL = "legal", pgettext_lazy("role", "法务部门")
    LOGISTICS = "logistics", pgettext_lazy("role", "物流部门")
    FINANCE = "finance", pgettext_lazy("role", "财务部门")
    SUPERVISOR = "supervisor", pgettext_lazy("role", "监督岗")
    MANAGEMENT = "management", pgettext_lazy("role", "公司管理层")
    ADMIN = "admin", pgettext_lazy("role", "系统管理员")


class Department(TextChoices):
    CUSTOMER_SERVICE = "customer_service", pgettext_lazy("department", "客服部")
    OPERATIONS = "operations", pgettext_lazy("department", "运营部")
    QUALITY_CONTROL = "quality_control", pgettext_lazy("department", "质量管控部")
    LEGAL = "legal", pgettext_lazy("department", "法务部")
    LOGISTICS = "logistics", pgettext_lazy("department", "物流部")
    FINANCE = "finance", pgettext_lazy("department", "财务部")
    SUPERVISION = "supervision", pgettext_lazy("department", "监督岗")
    MANAGEMENT = "management", pgettext_lazy("department", "管理层")
    IT = "it", pgettext_lazy("department", "信息部")


# Roles whose people work disputes through department tasks, and their department.
TASK_DEPARTMENT_OF_ROLE: dict[Role, Department] = {
    Role.OPERATIONS: Department.OPERATIONS,
    Role.QUALITY_CONTROL: Department.QUALITY_CONTROL,
    Role.LEGAL: Department.LEGAL,
    Role.LOGISTICS: Department.LOGISTICS,
    Role.FINANCE: Department.FINANCE,
}

HOME_DEPARTMENT_OF_ROLE: dict[Role, Department] = {
    Role.AGENT: Department.CUSTOMER_SERVICE,
    Role.TEAM_LEAD: Department.CUSTOMER_SERVICE,
    Role.SUPERVISOR: Department.SUPERVISION,
    Role.MANAGEMENT: Department.MANAGEMENT,
    Role.ADMIN: Department.IT,
    **TASK_DEPARTMENT_OF_ROLE,
}
