"""What a campaign text says to one recipient, and how many SMS segments it takes.

Every campaign text is framed the same way in the recipient's language: the campaign's name first
(who is writing), the words staff wrote for that language (merge fields filled), then the STOP line.
The compose page shows the same frame and counts segments as `length` does (its script,
`static/outreach/sms-counter.js`, follows the same rules).

Segments (3GPP TS 23.038): a text written only with the GSM 7-bit alphabet takes 160 characters in one
segment, 153 per segment when split (the characters of its extension table count twice); any other
character (ê, ç, a non-breaking space, an emoji) makes the whole text UCS-2: 70 UTF-16 units in one
segment, 67 per segment when split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from quartier.accounts import branding
from quartier.outreach import merge

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
# Where the words go in the frame (a private-use character no one types).
_WORDS = "\ue001"


@dataclass(frozen=True)
class Length:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def length(text: str) -> Length:
    if all(char in GSM_BASIC or char in GSM_EXTENDED for char in text):
        units = sum(2 if char in GSM_EXTENDED else 1 for char in text)
        encoding, single, split = "GSM-7", 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        encoding, single, split = "UCS-2", 70, 67
    segments = 0 if units == 0 else 1 if units <= single else math.ceil(units / split)
    return Length(encoding, units, segments)


def language_of(wanted: str) -> str:
    """`wanted` if the site speaks it, else the default language."""
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def frame(language: str) -> tuple[str, str]:
    """(before, after) the words, in `language`: `"Quartier: "` and `"\\nReply STOP to stop."`."""
    with translation.override(language_of(language)):
        framed = gettext("%(site)s: %(text)s") % {"site": branding.current().name, "text": _WORDS}
        framed += "\n" + gettext("Reply STOP to stop.")
    before, _mark, after = framed.partition(_WORDS)
    return before, after


def compose(words: str, language: str, values: Mapping[str, str]) -> str:
    """The text one recipient gets: `words` (their language's) with merge fields filled, framed."""
    before, after = frame(language)
    with translation.override(language_of(language)):  # fallbacks ("friend") in their language
        filled = merge.fill(words.strip(), values, html=False)
    return before + filled + after
