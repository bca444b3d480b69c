"""The API app's models, one module per subject (each imported here)."""

from quartier.api.models.keys import ApiKey
from quartier.api.models.tags import Tag, Tagging

__all__ = ["ApiKey", "Tag", "Tagging"]
