"""The share kit's Mastodon instance chooser: asks the visitor's instance, then sends them to its share
screen. The choice is remembered in the visitor's browser (a cookie), never in the database."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from quartier.reach.share_intents import clean_instance, mastodon_share_url

INSTANCE_COOKIE = "reach_mastodon_instance"
COOKIE_AGE = 365 * 24 * 3600


class InstanceForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon instance"),
        max_length=253,
        help_text=_("The server your account lives on, like mastodon.social or piaille.fr."),
    )
    text = forms.CharField(widget=forms.HiddenInput, max_length=1000)

    def clean_instance(self) -> str:
        instance = clean_instance(self.cleaned_data["instance"])
        if not instance:
            raise forms.ValidationError(_("Enter the name of a server, like mastodon.social."))
        return instance


@require_GET
def share_mastodon(request: HttpRequest) -> HttpResponse:
    text = str(request.GET.get("text", ""))[:1000]
    if "instance" in request.GET:
        form = InstanceForm(request.GET)
        if form.is_valid():
            instance = form.cleaned_data["instance"]
            response = HttpResponseRedirect(mastodon_share_url(instance, form.cleaned_data["text"]))
            response.set_cookie(
                INSTANCE_COOKIE, instance, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure()
            )
            return response
    else:
        form = InstanceForm(
            initial={"instance": clean_instance(request.COOKIES.get(INSTANCE_COOKIE)), "text": text}
        )
    return render(request, "reach/share_mastodon.html", {"form": form, "text": text})
