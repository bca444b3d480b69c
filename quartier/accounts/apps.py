from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "quartier.accounts"
    label = "accounts"
    verbose_name = _("Supporters")

    def ready(self) -> None:
        from django.urls import register_converter

        from quartier.accounts import checks, privacy  # noqa: F401 (checks registers itself)
        from quartier.lib.ids import IdConverter

        register_converter(IdConverter, "id")  # every route's row ids (quartier/lib/ids.py)

        privacy.register_accounts_sources()
