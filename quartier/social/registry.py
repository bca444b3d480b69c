"""Sections other apps add to the moderation queue, registered from their `AppConfig.ready()`.

Integrity proposes clusters of accounts acting together; social does not import it (integrity
imports social). Integrity registers a section provider here: given the viewer, it returns the
template to include and its context, or None when there is nothing for that viewer. The queue page
shows every section to staff only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class QueueSection:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


QueueSectionProvider = Callable[[Any], QueueSection | None]

_QUEUE_SECTIONS: list[QueueSectionProvider] = []


def register_queue_section(provider: QueueSectionProvider) -> None:
    if provider not in _QUEUE_SECTIONS:
        _QUEUE_SECTIONS.append(provider)


def queue_sections(viewer: Any) -> list[QueueSection]:
    """Every registered section with something for this (staff) viewer, in registration order."""
    return [section for provider in _QUEUE_SECTIONS if (section := provider(viewer)) is not None]
