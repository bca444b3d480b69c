"""Profile pages and supporter settings. Views validate, call `actions`, render."""

from __future__ import annotations

import json

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from allauth.account.forms import ResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts import actions, branding, privacy, queries
from quartier.accounts.access import (
    ProfileOwner,
    get_profile_owner,
    get_profile_to_show,
    get_supporter_for_staff,
    require_staff,
)
from quartier.accounts.adapter import client_ip
from quartier.accounts.forms import (
    NEWS_CONSENT_WORDING,
    AffiliationForm,
    BrandingForm,
    DeleteAccountForm,
    EmailPreferencesForm,
    PhotoForm,
    ProfileForm,
)
from quartier.accounts.models import CAMPAIGN_NEWS, Branding, ConsentRecord, Profile, Supporter
from quartier.lib.images import ImageRejected
from quartier.lib.page_cache import cached_anonymous_page, cached_fragment, stamp

IMAGE_ERRORS = {
    "too_large": lambda: _("This file is larger than 5 MB."),
    "not_an_image": lambda: _("This file is not a JPEG, PNG or WebP image."),
    "too_many_pixels": lambda: _("This image has too many pixels; please send a smaller one."),
}


class ClaimingSignupForm(AllauthSignupForm):
    """allauth's sign-up form, which lets the owner of a guest account sign up with its address."""

    guest: Supporter | None = None

    def validate_unique_email(self, value: str) -> str:
        self.guest = queries.guest_account(value)
        if self.guest is not None:
            self.account_already_exists = False
            return value
        return super().validate_unique_email(value)


# Sent with every sign-out: the browser drops this site's HTTP cache and its storage (local storage,
# the canvass page's service worker and its cached walk lists), so that a shared phone keeps no names
# or addresses of the last volunteer's lists. Session cookies are already cleared by the logout itself.
CLEAR_SITE_DATA = '"cache", "storage"'


class LogoutView(allauth_views.LogoutView):
    """allauth's sign-out, which also tells the browser to forget what this site stored (`CLEAR_SITE_DATA`)."""

    def post(self, *args, **kwargs) -> HttpResponse:
        response = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, which also reports an address taken by a sign-up racing this one.

    Signing up with the address of a guest account (made when its owner confirmed a guest RSVP)
    creates nothing and signs nobody in: we email the address a link to choose a password, so the
    account goes to whoever reads that mailbox, with its RSVPs, and its address is then confirmed.
    """

    def get_form_class(self):
        return ClaimingSignupForm

    def form_valid(self, form) -> HttpResponse:
        if form.guest is not None:
            reset = ResetPasswordForm(data={"email": form.cleaned_data["email"]})
            if reset.is_valid():
                reset.save(self.request)
            messages.info(
                self.request,
                _("You already RSVPed with this address: we emailed you a link to choose your password."),
            )
            return redirect("account_reset_password_done")
        try:
            return super().form_valid(form)
        except actions.EmailTaken:
            form.add_error("email", _("A user is already registered with this email address."))
            return self.form_invalid(form)


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    """The profile card is what differs per audience (`queries.profile_audience`: what `can_see` tells
    apart). Signed in: one narrow query (who may open it, the staff's form), the card cached once per
    audience and fresh by the owner's stamp. Anonymous: one query for the rule and the card together, the
    whole page cached (`cached_anonymous_page`)."""
    if request.user.is_authenticated:
        owner = get_profile_owner(request.user, handle)
        audience = queries.profile_audience(owner.pk, request.user)

        def card() -> str:
            return cached_fragment(
                request,
                f"profile:{owner.pk}:{audience}",
                lambda: _profile_card(request, queries.profile_to_show(pk=owner.pk)),  # None: gone since
                depends_on=lambda: [stamp("supporter", owner.pk)],
            )
    else:
        supporter = get_profile_to_show(request.user, handle)
        owner = ProfileOwner.of(supporter)

        def card() -> str:
            return _profile_card(request, supporter)

    def render_profile() -> HttpResponse:
        context = {"owner": owner, "card": card()}
        if request.user.is_authenticated and request.user.is_staff:
            context["affiliation_form"] = AffiliationForm(initial={"affiliation": owner.affiliation})
        return render(request, "accounts/profile.html", context)

    return cached_anonymous_page(request, render_profile, depends_on=lambda: [stamp("supporter", owner.pk)])


def _profile_card(request: HttpRequest, supporter: Supporter | None) -> str:
    if supporter is None:
        raise Http404
    shown = queries.visible_profile(supporter, request.user)
    return render_to_string("accounts/profile_card.html", {"shown": shown}, request=request)


@require_POST
def set_affiliation(request: HttpRequest, handle: str) -> HttpResponse:
    supporter = get_supporter_for_staff(request.user, handle)
    form = AffiliationForm(request.POST)
    if form.is_valid():
        actions.set_affiliation(
            supporter=supporter, affiliation=form.cleaned_data["affiliation"] or "", changed_by=request.user
        )
        messages.success(request, _("The transparency label is saved."))
    else:
        messages.error(request, _("Choose one of the listed affiliations."))
    return redirect("accounts:profile", handle=supporter.handle)


def _profile_initial(supporter, profile: Profile) -> dict[str, object]:
    initial: dict[str, object] = {
        "display_name": supporter.display_name,
        "handle": supporter.handle,
        "country": supporter.country,
        "postal_code": supporter.postal_code,
        "bio": profile.bio,
        "why_involved": profile.why_involved,
        "languages_spoken": profile.languages_spoken,
        "links": "\n".join(profile.links),
        "causes": list(profile.causes.all()) if profile.pk else [],
    }
    for field in Profile.FIELDS_WITH_VISIBILITY:
        initial[f"{field}_visibility"] = profile.visibility_of(field)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: HttpRequest) -> HttpResponse:
    supporter = request.user
    profile, _created = Profile.objects.get_or_create(supporter=supporter)
    if request.method == "POST":
        form = ProfileForm(request.POST, supporter=supporter)
        if form.is_valid():
            try:
                actions.update_profile(supporter=supporter, changes=form.to_changes())
            except actions.HandleTaken:
                form.add_error("handle", _("This handle is already taken."))
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:settings_profile")
    else:
        form = ProfileForm(initial=_profile_initial(supporter, profile), supporter=supporter)
    return render(
        request,
        "accounts/settings_profile.html",
        {
            "form": form,
            "photo_form": PhotoForm(),
            "profile": profile,
            "profile_url": request.build_absolute_uri(supporter.get_absolute_url()),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def settings_photo(request: HttpRequest) -> HttpResponse:
    if request.POST.get("remove"):
        actions.remove_photo(supporter=request.user)
        messages.success(request, _("Your photo is removed."))
        return redirect("accounts:settings_profile")
    if not ratelimit.consume(request, action="upload_photo", user=request.user):
        # Before the form reads the file: decoding images is what the limit protects.
        messages.error(request, _("You have sent many photos in a short time. Please try again later."))
        return redirect("accounts:settings_profile")
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.set_photo(supporter=request.user, upload=form.cleaned_data["photo"])
        except ImageRejected as rejected:
            messages.error(request, IMAGE_ERRORS[rejected.code]())
        else:
            messages.success(request, _("Your photo is saved."))
    else:
        for error in form.errors.get("photo", []):
            messages.error(request, error)
    return redirect("accounts:settings_profile")


@login_required
@require_http_methods(["GET", "POST"])
def settings_email(request: HttpRequest) -> HttpResponse:
    consent = queries.current_consent(request.user, CAMPAIGN_NEWS)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            granted = form.cleaned_data["news_consent"]
            if consent is None or consent.granted != granted:
                actions.record_consent(
                    supporter=request.user,
                    audience=CAMPAIGN_NEWS,
                    granted=granted,
                    wording=str(NEWS_CONSENT_WORDING),
                    language=(get_language() or "en")[:2],
                    source=ConsentRecord.Source.SETTINGS,
                    ip_address=client_ip(request),
                )
            messages.success(request, _("Your email preferences are saved."))
            return redirect("accounts:settings_email")
    else:
        form = EmailPreferencesForm(initial={"news_consent": bool(consent and consent.granted)})
    return render(request, "accounts/settings_email.html", {"form": form, "consent": consent})


@login_required
def settings_privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings_privacy.html", {"delete_form": DeleteAccountForm()})


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    data = {
        "format": "quartier-personal-data/1",
        "exported_at": timezone.now(),
        "data": privacy.export_personal_data(request.user),
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"quartier-{request.user.handle}-{timezone.now():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@reauthentication_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/settings_privacy.html", {"delete_form": form}, status=400)
    actions.delete_account(supporter=request.user)
    logout(request)
    response = render(request, "accounts/account_deleted.html")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@login_required
@require_http_methods(["GET", "POST"])
def staff_branding(request: HttpRequest) -> HttpResponse:
    """The campaign's name, logo, colours and mail sender (staff only)."""
    require_staff(request.user)
    saved = Branding.objects.filter(pk=1).first() or Branding(pk=1)
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_branding(
                    name=data["name"], primary_colour=data["primary_colour"],
                    accent_colour=data["accent_colour"], sender_name=data["sender_name"],
                    sender_address=data["sender_address"], logo=data["logo"] or None,
                    remove_logo=data["remove_logo"],
                )  # fmt: skip
            except ImageRejected as rejected:
                form.add_error("logo", IMAGE_ERRORS[rejected.code]())
            else:
                messages.success(request, _("The campaign's branding is saved."))
                return redirect("accounts:staff_branding")
    else:
        form = BrandingForm(
            initial={
                "name": saved.name, "primary_colour": saved.primary_colour, "accent_colour": saved.accent_colour,
                "sender_name": saved.sender_name, "sender_address": saved.sender_address,
            }
        )  # fmt: skip
    return render(
        request,
        "accounts/staff_branding.html",
        {"form": form, "brand": branding.load(), "has_logo": bool(saved.logo)},
    )


def branding_css(request: HttpRequest) -> HttpResponse:
    """The campaign's colours as CSS custom properties (a stylesheet: the CSP forbids inline styles).

    Its URL carries the brand's version (`Brand.css_url`), so it may be cached for a year: a change of
    colours is a new URL."""
    brand = branding.current()
    hover, soft = branding.darken(brand.primary), branding.tint(brand.primary)
    css = (
        f":root {{ --brand-primary: {brand.primary}; --brand-primary-hover: {hover}; "
        f"--brand-accent: {brand.accent}; --brand-accent-hover: {branding.darken(brand.accent)}; }}\n"
        # Light pages take the primary colour as their accent; dark pages keep their light accent
        # (dark text on it), and the brand shows in the header's band and the Donate button.
        f"@media (prefers-color-scheme: light) {{ :root {{ --accent: {brand.primary}; "
        f"--accent-hover: {hover}; --accent-soft: {soft}; --focus: {brand.primary}; }} }}\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == brand.version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response
