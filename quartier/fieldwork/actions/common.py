"""The error every fieldwork write raises."""

from __future__ import annotations


class FieldworkError(Exception):
    """A rule said no; the message is translated and meant for the person who asked."""
