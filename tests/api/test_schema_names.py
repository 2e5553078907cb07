"""The OpenAPI document names each schema by its class name: two schemas of one name
overwrite each other there, and a client (or schemathesis) then validates one operation's
answer against the other's shape — as happened to GET …/proposals/template when the reply
templates of the customer messages got a TemplateOut of their own."""

from ninja import Schema

import aftersales.urls  # noqa: F401 (every router, so every schema, is imported)


def _schemas(cls=Schema):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_every_api_schema_has_a_name_of_its_own():
    seen: dict[str, str] = {}
    clashes = []
    for cls in _schemas():
        if not cls.__module__.startswith("aftersales."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert clashes == []
