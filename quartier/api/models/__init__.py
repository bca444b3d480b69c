"""The API app's models, one module per subject (each imported here)."""

from quartier.api.models.forms import Form, Submission
from quartier.api.models.keys import ApiKey
from quartier.api.models.people import PersonDetails
from quartier.api.models.tags import Tag, Tagging

__all__ = ["ApiKey", "Form", "PersonDetails", "Submission", "Tag", "Tagging"]
