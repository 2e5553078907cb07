"""The roles of SPEC §1, as Django groups, and the departments staff belong to."""

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    OPERATIONS = "operations"
    QUALITY_CONTROL = "quality_control"
    LEGAL = "legal"
    LOGISTICS = "logistics"
    FINANCE = "finance"
    SUPERVISOR = "supervisor"
    MANAGEMENT = "management"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.AGENT: "客服专员",
    Role.TEAM_LEAD: "调解小组组长",
    Role.OPERATIONS: "运营部门",
    Role.QUALITY_CONTROL: "质量管控部门",
    Role.LEGAL: "法务部门",
    Role.LOGISTICS: "物流部门",
    Role.FINANCE: "财务部门",
    Role.SUPERVISOR: "监督岗",
    Role.MANAGEMENT: "公司管理层",
    Role.ADMIN: "系统管理员",
}


class Department(StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    OPERATIONS = "operations"
    QUALITY_CONTROL = "quality_control"
    LEGAL = "legal"
    LOGISTICS = "logistics"
    FINANCE = "finance"
    SUPERVISION = "supervision"
    MANAGEMENT = "management"
    IT = "it"


DEPARTMENT_LABELS: dict[Department, str] = {
    Department.CUSTOMER_SERVICE: "客服部",
    Department.OPERATIONS: "运营部",
    Department.QUALITY_CONTROL: "质量管控部",
    Department.LEGAL: "法务部",
    Department.LOGISTICS: "物流部",
    Department.FINANCE: "财务部",
    Department.SUPERVISION: "监督岗",
    Department.MANAGEMENT: "管理层",
    Department.IT: "信息部",
}

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
