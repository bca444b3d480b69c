"""Permission-checked loaders of the exchange pages: staff only, 404 for anyone else."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from quartier.accounts.access import require_staff
from quartier.accounts.models import Supporter
from quartier.api.models import PeopleImport


def get_import_for_staff(viewer: Supporter | AnonymousUser, job_id: int) -> PeopleImport:
    require_staff(viewer)
    job = PeopleImport.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job
