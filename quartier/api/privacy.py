"""The api app's personal data: the tags on a supporter, and the API keys a staff member created."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quartier.accounts.privacy import PersonalDataSource, register, rows, rows_owned_by

if TYPE_CHECKING:
    from quartier.accounts.models import Supporter


def register_api_sources() -> None:
    from quartier.api.models import ApiKey, Tagging

    def export_taggings(supporter: Supporter) -> list[dict[str, Any]]:
        taggings = Tagging.objects.filter(supporter=supporter).select_related("tag").order_by("pk")
        return [
            row | {"tag_name": tagging.tag.name}
            for row, tagging in zip(rows(taggings), taggings, strict=True)
        ]

    register(
        PersonalDataSource(
            name="api_taggings",
            models=(Tagging,),
            export=export_taggings,
            erase=lambda supporter: Tagging.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="api_keys_created",
            models=(ApiKey,),
            # The key's secret is only ever stored hashed, and the hash is no one's personal data.
            export=lambda supporter: rows(
                ApiKey.objects.filter(created_by=supporter).order_by("pk"), exclude=("token_hash",)
            ),
            # The key belongs to the campaign and keeps working for the client it was made for; only the
            # name of the staff member who created it goes.
            erase=lambda supporter: ApiKey.objects.filter(created_by=supporter).update(created_by=None),
        )
    )


def register_osdi_sources() -> None:
    """What OSDI clients and signup forms wrote about a person, and the forms a staff member made."""
    from quartier.api.models import Form, PersonDetails, Submission

    register(rows_owned_by("api_person_details", PersonDetails))
    register(rows_owned_by("api_form_submissions", Submission))
    register(
        PersonalDataSource(
            name="api_forms_created",
            models=(Form,),
            export=lambda supporter: rows(Form.objects.filter(created_by=supporter).order_by("pk")),
            # The form belongs to the campaign and keeps collecting signups; only its maker's name goes.
            erase=lambda supporter: Form.objects.filter(created_by=supporter).update(created_by=None),
        )
    )
