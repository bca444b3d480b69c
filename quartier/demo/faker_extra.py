"""Faker, the demo's one optional dependency (the `demo` extra; `make demo` installs it).

Only the demo and the benchmarks' generator make names with Faker; a production install
(`pip install .`) leaves it out. They import it from here, so that its absence says what to do.
"""

from __future__ import annotations

MISSING = (
    "The demo campaign needs Faker, which a production install leaves out: run `make demo`, "
    "or install the `demo` extra (`pip install -e '.[demo]'` in a checkout)."
)

try:
    from faker import Faker
except ModuleNotFoundError as missing:
    raise ModuleNotFoundError(MISSING, name="faker") from missing

__all__ = ["Faker"]
