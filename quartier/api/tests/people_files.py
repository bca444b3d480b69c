"""Test helpers: load a people file through the real import job, without the pages."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile

from quartier.accounts.models import Supporter
from quartier.api.exchange import layouts, people_import
from quartier.api.models import PeopleImport

FIXTURES = Path(__file__).parent / "fixtures"


def import_text(
    text: str, *, by: Supporter | None = None, tags: list[str] | None = None, country: str = "CA"
) -> PeopleImport:
    data = text.encode()
    header = text.splitlines()[0].split(",")
    layout, mapping = layouts.guess_mapping(header)
    job = PeopleImport(
        uploaded_by=by, original_name="people.csv", header=header, layout=layout, mapping=mapping,
        country=country, tag_names=tags or [], total_bytes=len(data), status=PeopleImport.Status.QUEUED,
    )  # fmt: skip
    job.file.save("people.csv", ContentFile(data), save=False)
    job.save()
    people_import.run_import(job.pk)
    job.refresh_from_db()
    return job
