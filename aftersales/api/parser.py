"""Request parsing that refuses text no database can store: NUL characters (PostgreSQL
rejects them in every text column) and lone UTF-16 surrogates (not encodable as UTF-8).
Without this such input reaches a query and ends as a 500."""

from typing import Any

from ninja.parser import Parser


class UnstorableText(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_storable(value: Any, path: str = "") -> None:
    """Raise UnstorableText naming the first bad field (dotted path) in parsed JSON."""
    if isinstance(value, str):
        if not is_storable(value):
            raise UnstorableText(path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not is_storable(key):
                raise UnstorableText(path or "body")
            check_storable(item, key_path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable(item, f"{path}.{index}" if path else str(index))


class StorableTextParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        check_storable(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            if not is_storable(key):
                raise UnstorableText("query")
            if isinstance(value, str | list):
                check_storable(value, key)
        return result
