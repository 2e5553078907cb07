"""The `aftersales` console script: Django's management entry point for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    # Production is the default; `aftersales demo` is development unless DEBUG says so.
    if sys.argv[1:2] == ["demo"]:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
