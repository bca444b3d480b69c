"""Forms of the lend-your-status pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.reach.models.lending import MAX_WEEKLY_CAP
from quartier.reach.share_intents import clean_instance


class ConsentForm(forms.Form):
    active = forms.BooleanField(
        label=_("Let the campaign share short messages in my name"),
        required=False,  # unticked by default: nobody lends their status without ticking it
        help_text=_("Each one is announced to you in advance and you can veto it. You can stop at any time."),
    )
    weekly_cap = forms.TypedChoiceField(
        label=_("At most this many a week"),
        choices=[(number, str(number)) for number in range(1, MAX_WEEKLY_CAP + 1)],
        coerce=int,
        initial=1,
    )


class MastodonConnectForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon instance"),
        max_length=253,
        help_text=_("The server your account lives on, like mastodon.social or piaille.fr."),
    )

    def clean_instance(self) -> str:
        instance = clean_instance(self.cleaned_data["instance"])
        if not instance:
            raise forms.ValidationError(_("Enter the name of a server, like mastodon.social."))
        return instance


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Your Bluesky handle"), max_length=253, help_text=_("Like name.bsky.social.")
    )
    app_password = forms.CharField(
        label=_("An app password"),
        max_length=64,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Make one in Bluesky's settings, under Privacy and security, App passwords. We keep only "
                    "the session it opens, encrypted; you can revoke it there at any time."),
    )  # fmt: skip

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lstrip("@").lower()
        if not clean_instance(handle):
            raise forms.ValidationError(_("Enter a handle like name.bsky.social."))
        return handle


class MessageForm(forms.Form):
    campaign = forms.CharField(label=_("Campaign"), max_length=100)
    text = forms.CharField(
        label=_("Message"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 200 characters: the link and the label are added after it."),
    )
    link_path = forms.CharField(
        label=_("Page it links to"),
        max_length=300,
        required=False,
        help_text=_("A path on this site, like /events/12/."),
    )
    veto_hours = forms.TypedChoiceField(
        label=_("Veto window"),
        choices=[(12, _("12 hours")), (24, _("24 hours")), (48, _("48 hours")), (72, _("72 hours"))],
        coerce=int,
        initial=24,
    )

    def clean_link_path(self) -> str:
        path = self.cleaned_data["link_path"].strip()
        if path and (not path.startswith("/") or path.startswith("//") or any(c.isspace() for c in path)):
            raise forms.ValidationError(_("Enter a path on this site starting with /, like /events/12/."))
        return path
