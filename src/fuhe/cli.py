"""The ``fuhe`` command line: Django's management commands under one name.

``fuhe serve``, ``fuhe demo``, ``fuhe import-divisions``, ``fuhe audit verify`` … are management
commands of the platform's apps; ``fuhe help`` lists them all.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import-divisions": "import_divisions"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhe.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["fuhe", *argv])
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":  # pragma: no cover
    main()
