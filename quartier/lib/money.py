"""Money as integers of minor units (cents): parsing what people type, showing it in their language."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

SYMBOLS = {"USD": "$", "CAD": "$", "EUR": "€"}
# "25", "25.5", "25.50", "1,000", "1 000,50", "25,50": at most 2 decimals, no sign, no exponent.
_AMOUNT = re.compile(
    r"^\d{1,3}(?:[ ,\u00a0\u202f]?\d{3})*(?:[.,]\d{1,2})?$|^\d{1,12}(?:[.,]\d{1,2})?$", re.ASCII
)


class InvalidAmount(ValueError):
    pass


def parse_amount(text: object) -> int:
    """Minor units from what a donor typed ("25", "25.50", "25,50 $", "1 000"); never a float.

    Raises `InvalidAmount` for anything else: signs, exponents, more than two decimals, letters.
    """
    raw = str(text or "").strip().replace("$", "").replace("€", "").strip()
    if len(raw) > 20 or not _AMOUNT.match(raw):
        raise InvalidAmount(raw)
    # A comma followed by exactly one or two digits at the end is a decimal comma (French); else thousands.
    if re.search(r",\d{1,2}$", raw):
        raw = raw.replace(".", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        raw = raw.replace(",", ".")
    else:
        raw = re.sub(r"[ ,\u00a0\u202f]", "", raw)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidAmount(raw) from None
    return int((value * 100).to_integral_value())


def format_money(minor: int, currency: str, language: str = "en") -> str:
    """`$25.00`, `$1,250`, `25,00 $`, `1 250 €`: whole amounts without cents."""
    negative = minor < 0
    units, cents = divmod(abs(int(minor)), 100)
    symbol = SYMBOLS.get(currency.upper(), currency.upper() + " ")
    if language.startswith("fr"):
        whole = f"{units:,}".replace(",", "\u202f")
        number = whole if cents == 0 else f"{whole},{cents:02d}"
        text = f"{number}\u00a0{symbol.strip()}"
    else:
        whole = f"{units:,}"
        number = whole if cents == 0 else f"{whole}.{cents:02d}"
        text = f"{symbol}{number}"
    return f"-{text}" if negative else text
