"""`python -m mutants [--only ID ...] [--list]`: see mutants/runner.py and docs/mutants.md."""

from __future__ import annotations

import argparse
import os
import sys

from mutants.bugs import BUGS
from mutants.runner import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutants", description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="the id of a bug to check (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the bugs and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the unmutated tests")
    parser.add_argument(
        "--postgresql", default=os.environ.get("QUARTIER_TEST_POSTGRES") or None,
        help="PostgreSQL URL for the lock-related bugs (default: $QUARTIER_TEST_POSTGRES)",
    )  # fmt: skip
    arguments = parser.parse_args(argv)
    bugs = [bug for bug in BUGS if not arguments.only or bug.id in arguments.only]
    unknown = set(arguments.only) - {bug.id for bug in BUGS}
    if unknown:
        parser.error(f"no such bug: {', '.join(sorted(unknown))}")
    if arguments.list:
        for bug in bugs:
            print(f"{bug.id:38} {bug.file}: {bug.promise}")
        return 0
    return run(bugs, postgresql_url=arguments.postgresql, check_baseline=not arguments.no_baseline)


if __name__ == "__main__":
    sys.exit(main())
