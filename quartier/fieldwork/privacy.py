"""The personal data fieldwork keeps about supporters, registered with `accounts.privacy`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows


def register_sources() -> None:
    from quartier.fieldwork import import_files
    from quartier.fieldwork.models import Contact, ImportJob, Result, Target, WalkList

    def export_volunteering(supporter: Supporter) -> dict[str, Any]:
        return {
            "results": list(
                Result.objects.filter(volunteer=supporter)
                .order_by("pk")
                .values(
                    "campaign__name", "channel", "outcome", "notes", "recorded_at", "latitude", "longitude"
                )
            ),
            "walk_lists": list(
                WalkList.objects.filter(assigned_to=supporter).order_by("pk").values("campaign__name", "name")
            ),
            "contacts_held": list(
                Target.objects.filter(Q(leased_to=supporter) | Q(caller=supporter))
                .order_by("pk")
                .values("campaign__name", "lease_expires_at")
            ),
        }

    def erase_volunteering(supporter: Supporter) -> None:
        Result.objects.filter(volunteer=supporter).update(
            volunteer=None, notes="", latitude=None, longitude=None
        )
        WalkList.objects.filter(assigned_to=supporter).update(assigned_to=None, assigned_at=None)
        Target.objects.filter(leased_to=supporter).update(leased_to=None, lease_expires_at=None)
        Target.objects.filter(caller=supporter).update(caller=None)

    register(
        PersonalDataSource(
            name="fieldwork_contact_record",
            models=(Contact,),
            export=lambda supporter: rows(
                Contact.objects.filter(supporter=supporter).order_by("pk"), exclude=("dedupe_key",)
            ),
            # The campaign's own record of the person (from its contact file) goes with the account.
            erase=lambda supporter: Contact.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="fieldwork_volunteering",
            models=(Result, WalkList, Target),
            export=export_volunteering,
            erase=erase_volunteering,
            kept_after_deletion=(
                "The doors you knocked and the calls you made, without your name, notes or position: "
                "they are the campaign's record of whom it contacted, and they stop anyone else "
                "calling or knocking on the same people again."
            ),
        )
    )

    def erase_imports(supporter: Supporter) -> None:
        """The contact files they uploaded go at once (a running import stops with an error)."""
        for job in ImportJob.objects.filter(uploaded_by=supporter):
            if not job.is_finished:
                import_files.finish(
                    job,
                    ImportJob.Status.FAILED,
                    _("The person who uploaded this file deleted their account."),
                )
            import_files.delete_file(job)
        ImportJob.objects.filter(uploaded_by=supporter).update(uploaded_by=None)

    register(
        PersonalDataSource(
            name="fieldwork_imports",
            models=(ImportJob,),
            export=lambda supporter: list(
                ImportJob.objects.filter(uploaded_by=supporter)
                .order_by("pk")
                .values("original_name", "status", "rows_done", "created_at", "finished_at")
            ),
            erase=erase_imports,
            kept_after_deletion=(
                "The contact files you imported are deleted; the record that an import took place "
                "(its file name and counts, without your name) stays with the campaign."
            ),
        )
    )
