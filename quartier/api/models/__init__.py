"""The API app's models, one module per subject (each imported here)."""

from quartier.api.models.forms import Form, Submission
from quartier.api.models.imports import PeopleImport, PeopleImportProblem
from quartier.api.models.keys import ApiKey
from quartier.api.models.people import PersonDetails
from quartier.api.models.phones import SupporterPhone
from quartier.api.models.tags import Tag, Tagging
from quartier.api.models.webhooks import JournalCursor, WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "Form",
    "JournalCursor",
    "PeopleImport",
    "PeopleImportProblem",
    "PersonDetails",
    "Submission",
    "SupporterPhone",
    "Tag",
    "Tagging",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
