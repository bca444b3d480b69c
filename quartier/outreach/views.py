"""The unsubscribe page. The token in the address says who and from what; no sign-in needed."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.adapter import client_ip
from quartier.outreach import access, emails, forms, merge, queries, segments, sms
from quartier.outreach.access import get_address_to_unsubscribe, get_unsubscribe_target
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import consent as consent_actions
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions import feedback as feedback_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import TOPICS, Message, SmsSubscription, Suppression, audience_kind


def _unnamed_audience(audience: str) -> str:
    """What to call an audience none of whose messages is left to name it."""
    kind = audience_kind(audience)
    if kind == "group":
        return _("this group")
    if kind == "event":
        return _("this event")
    return _("this list")


ONE_CLICK_WORDING = "List-Unsubscribe=One-Click (RFC 8058: the unsubscribe button of the mail program)"


@csrf_exempt  # RFC 8058: mail programs POST `List-Unsubscribe=One-Click` with no cookie or CSRF token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation and changes nothing (mail scanners follow links); POST unsubscribes."""
    target = get_unsubscribe_target(token)
    language = translation.get_language()
    if not request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # The page speaks the language the message was written in, unless the visitor chose one.
        language = target.supporter.language
    with translation.override(language):
        label = queries.audience_label(target.audience) or _unnamed_audience(target.audience)
        context = {"audience_label": label, "token": token}
        if request.method != "POST":
            return render(request, "outreach/unsubscribe.html", context)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            wording = ONE_CLICK_WORDING
        else:
            wording = _("Unsubscribe me from %(audience)s") % {"audience": label}
        consent_actions.unsubscribe(
            supporter=target.supporter,
            audience=target.audience,
            wording=wording,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
            ip_address=client_ip(request),
            message_id=target.message_id,
        )
        return render(request, "outreach/unsubscribed.html", context)


@csrf_exempt  # RFC 8058, as above
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_address(request: HttpRequest, token: str) -> HttpResponse:
    """A personal message's way out: POST puts the address on the suppression list (GET asks first)."""
    address = get_address_to_unsubscribe(token)
    context = {"address": address, "token": token}
    if request.method in ("GET", "HEAD"):
        return render(request, "outreach/unsubscribe_address.html", context)
    feedback_actions.suppress_address(
        address=address,
        reason=Suppression.Reason.UNSUBSCRIBED,
        source="one-click" if request.POST.get("List-Unsubscribe") == "One-Click" else "unsubscribe",
    )
    return render(request, "outreach/unsubscribed_address.html", context)


# --- staff: compose, target, preview, test, send, follow (`/organize/email/`) ---------------------------


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff(request.user):
        raise Http404


def _problems_to_messages(request: HttpRequest, problems: list[str]) -> None:
    for problem in problems:
        messages.error(request, problem)


@never_cache
def message_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(request, "outreach/staff/message_list.html", {"rows": queries.staff_messages()})


@never_cache
def message_compose(request: HttpRequest, message_id: int | None = None) -> HttpResponse:
    """Write or edit a draft; saving it leads to its page (preview, test, send)."""
    _staff_only(request)
    message = access.get_staff_message(request.user, message_id) if message_id else None
    if message is not None and message.status != Message.Status.DRAFT:
        return redirect("outreach:message_detail", message.pk)
    if request.method == "POST":
        form = forms.ComposeForm(request.POST)
        if form.is_valid():
            try:
                saved = drafts_actions.save_draft(author=request.user, draft=form.to_draft(), message=message)
            except campaign_send_actions.OutreachError as error:
                for problem in error.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, _("Draft saved. Preview it, send yourself a test, then send it."))
                return redirect("outreach:message_detail", saved.pk)
    else:
        form = forms.ComposeForm(initial=forms.ComposeForm.initial_for(message) if message else None)
    count = None
    if form.is_bound and form.is_valid():
        count = segments.count(form.to_segment())
    elif not form.is_bound:
        count = segments.count(segments.Segment.from_dict(message.segment if message else {}))
    return render(
        request,
        "outreach/staff/compose.html",
        {"form": form, "message": message, "count": count, "fields": merge.FIELDS},
    )


@never_cache
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count of the segment builder (htmx: the compose form's fields, on every change)."""
    _staff_only(request)
    form = forms.SegmentForm(request.GET)
    count = segments.count(form.to_segment()) if form.is_valid() else None
    return render(request, "outreach/staff/_count.html", {"count": count, "form": form})


@never_cache
def group_suggestions(request: HttpRequest) -> HttpResponse:
    """The segment builder's group suggestions as staff type a name (htmx: a `<datalist>`)."""
    _staff_only(request)
    rows = segments.group_suggestions(request.GET.get("group", "")[:160])
    options = [(forms.group_label(group_id, name), town) for group_id, name, town in rows]
    return render(request, "outreach/staff/_group_suggestions.html", {"options": options})


@never_cache
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = access.get_staff_message(request.user, message_id)
    preview_form = forms.PreviewAsForm(request.GET or None)
    recipient = None
    if preview_form.is_bound and preview_form.is_valid() and preview_form.cleaned_data["recipient"]:
        recipient = queries.supporter_by_email(preview_form.cleaned_data["recipient"])
        if recipient is None:
            preview_form.add_error("recipient", _("No supporter has this address."))
    problems = drafts_actions.send_problems(message) if message.status == Message.Status.DRAFT else []
    context = {
        "message": message,
        "progress": queries.message_progress(message),
        "stats": queries.message_stats(message) if message.status != Message.Status.DRAFT else None,
        "count": segments.count(segments.Segment.from_dict(message.segment))
        if message.status == Message.Status.DRAFT
        else None,
        "problems": problems,
        "preview_form": preview_form,
        "recipient": recipient,
        "schedule_form": forms.ScheduleForm(),
        "languages": [(code, name) for code, name in settings.LANGUAGES],
    }
    return render(request, "outreach/staff/detail.html", context)


@csp_exempt()  # its own policy below: the email's inline styles, nothing that runs, framed by our page only
@xframe_options_sameorigin
@never_cache
def message_preview(request: HttpRequest, message_id: int) -> HttpResponse:
    """The HTML part as a given recipient (or the staff member) would get it, for an iframe."""
    message = access.get_staff_message(request.user, message_id)
    recipient = None
    if request.GET.get("recipient"):
        recipient = queries.supporter_by_email(request.GET["recipient"])
    language = request.GET.get("language", "")
    reader = recipient or request.user
    renderer = emails.Renderer(message)
    renderer.prepare([reader])
    if recipient is None and language in dict(settings.LANGUAGES):
        _lang, _subject, _text, html = renderer.skeleton(language)
        html = merge.fill(html, merge.sample_values(renderer.fields), html=True)
    else:
        html = renderer.render(reader)[3]
    response = HttpResponse(html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; sandbox"
    )
    return response


@require_POST
def message_test(request: HttpRequest, message_id: int) -> HttpResponse:
    message = access.get_staff_message(request.user, message_id)
    recipient = None
    if request.POST.get("recipient"):
        recipient = queries.supporter_by_email(request.POST["recipient"])
    drafts_actions.send_test(message=message, to=request.user, as_recipient=recipient)
    messages.success(request, _("A test is on its way to %(address)s.") % {"address": request.user.email})
    return redirect("outreach:message_detail", message.pk)


@require_POST
def message_send(request: HttpRequest, message_id: int) -> HttpResponse:
    message = access.get_staff_message(request.user, message_id)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        _problems_to_messages(request, [error for errors in form.errors.values() for error in errors])
        return redirect("outreach:message_detail", message.pk)
    at = form.cleaned_data["send_at"] if form.cleaned_data["when"] == "later" else None
    try:
        drafts_actions.schedule(message=message, at=at)
    except campaign_send_actions.OutreachError as error:
        _problems_to_messages(request, error.problems)
    else:
        messages.success(request, _("Scheduled.") if at else _("Sending has started."))
    return redirect("outreach:message_detail", message.pk)


@require_POST
def message_cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    message = access.get_staff_message(request.user, message_id)
    if message.status in (Message.Status.SCHEDULED, Message.Status.SENDING):
        skipped = drafts_actions.cancel(message=message)
        messages.success(request, _("Cancelled: %(count)s emails will not be sent.") % {"count": skipped})
    return redirect("outreach:message_detail", message.pk)


@never_cache
def message_progress(request: HttpRequest, message_id: int) -> HttpResponse:
    """The progress bar, polled by the message page (htmx) while it sends; JSON with `?format=json`."""
    message = access.get_staff_message(request.user, message_id)
    progress = queries.message_progress(message)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": message.status, **progress})
    return render(request, "outreach/staff/_progress.html", {"message": message, "progress": progress})


# --- text messages: the gateways' inbound webhooks ---------------------------------------------------


@csrf_exempt  # the gateway signs its requests instead (checked by `sms.gateway(...).inbound`)
@require_POST
def sms_inbound(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in sms.GATEWAYS:
        return JsonResponse({"error": "unknown_provider"}, status=404)
    inbound = sms.gateway(provider).inbound(request)
    if inbound is None:
        return JsonResponse({"error": "bad_signature"}, status=403)
    if not inbound.phone or not inbound.provider_id:
        return JsonResponse({"error": "missing_fields"}, status=400)
    word = sms_actions.handle_inbound_sms(provider=provider, inbound=inbound)
    if provider == "twilio":
        # Twilio wants TwiML; the answer, if any, goes through the API (so that it is sent once).
        return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response/>', content_type="text/xml")
    return JsonResponse({"keyword": word})


# --- email preferences: reachable from every email without signing in ------------------------------


def _current_topics(supporter) -> dict[str, bool]:
    return {topic: queries.has_consented(supporter, topic) for topic in TOPICS}


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str | None = None) -> HttpResponse:
    """Topics, texts and "unsubscribe from everything" for the person of the signed link (or the
    signed-in supporter)."""
    if token is not None:
        supporter = access.get_preferences_supporter(token)
    elif request.user.is_authenticated:
        supporter = request.user
    else:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:8]
    if (
        token is not None
        and not request.user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
    ):
        # The link came in an email: the page speaks the recipient's language, not the browser's,
        # unless the visitor chose one with the language switcher. LocaleMiddleware sets the next
        # request's language afresh.
        language = supporter.language
        translation.activate(language)
    code_form = forms.SmsCodeForm()
    if request.method == "POST" and "sms_code" in request.POST:
        code_form = forms.SmsCodeForm(request.POST)
        if _confirm_sms_code(request, supporter, code_form):
            return redirect(request.path)
    form = forms.PreferencesForm(
        None if "sms_code" in request.POST else (request.POST or None), current=_current_topics(supporter)
    )
    if request.method == "POST" and request.POST.get("everything"):
        consent_actions.unsubscribe_from_everything(
            supporter=supporter, language=language, ip_address=client_ip(request)
        )
        messages.success(
            request, _("Done: we will send you no more email, except about your account itself.")
        )
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        awaiting = consent_actions.set_topics(
            supporter=supporter, wanted=form.wanted_topics(), language=language, ip_address=client_ip(request)
        )
        if form.cleaned_data.get("sms_consent"):
            outcome = sms_actions.request_sms_opt_in(
                supporter=supporter, phone=form.cleaned_data["phone"], wording=str(form.fields["sms_consent"].label),
                language=language, ip_address=client_ip(request),
            )  # fmt: skip
            _say_sms_outcome(request, outcome, form.cleaned_data["phone"])
        if awaiting:
            messages.success(request, _("Check your inbox: confirm from the email we just sent you."))
        else:
            messages.success(request, _("Your email preferences are saved."))
        return redirect(request.path)
    context = {
        "form": form,
        "suppressed": queries.is_suppressed(supporter.email),
        "texting": SmsSubscription.objects.filter(supporter=supporter, opted_out_at__isnull=True).first(),
        "pending_sms": sms_actions.pending_confirmation(supporter),
        "code_form": code_form,
        "signed_in_view": token is None,
    }
    return render(request, "outreach/preferences.html", context)


def _confirm_sms_code(request: HttpRequest, supporter, code_form: forms.SmsCodeForm) -> bool:
    """The code texted to a number, typed back: subscribe the number, or say why not (form kept)."""
    if not code_form.is_valid():
        return False
    subscription = sms_actions.confirm_sms_opt_in(
        supporter=supporter, code=code_form.cleaned_data["sms_code"], ip_address=client_ip(request)
    )
    if subscription is None:
        code_form.add_error(
            "sms_code",
            _("That is not the code we texted, or it has expired. Ask for a new one with the form below."),
        )
        return False
    messages.success(request, _("Done: our texts will go to %(phone)s.") % {"phone": subscription.phone})
    return True


def _say_sms_outcome(request: HttpRequest, outcome: str, phone: str) -> None:
    Outcome = sms_actions.OptInRequest
    if outcome == Outcome.CODE_SENT:
        messages.info(
            request,
            _("We texted a code to %(phone)s: type it below to receive our texts.") % {"phone": phone},
        )
    elif outcome == Outcome.STOPPED:
        messages.warning(
            request,
            _(
                "%(phone)s asked us to stop texting it. To receive our texts again, text START to us from that phone."
            )
            % {"phone": phone},
        )
    elif outcome == Outcome.TOO_MANY:
        messages.warning(
            request,
            _("We have sent enough codes to %(phone)s today. Please try again tomorrow.") % {"phone": phone},
        )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_topic(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: GET asks (mail scanners follow links), POST confirms."""
    target = access.get_topic_to_confirm(token)
    if target is None:
        return render(request, "outreach/confirm_topic.html", {"expired": True}, status=400)
    supporter, topic = target
    if request.method == "POST":
        consent_actions.confirm_topic(
            supporter=supporter, topic=topic, language=(translation.get_language() or "en")[:8],
            ip_address=client_ip(request),
        )  # fmt: skip
        return render(request, "outreach/confirm_topic.html", {"done": True, "topic": TOPICS[topic]})
    return render(request, "outreach/confirm_topic.html", {"topic": TOPICS[topic], "token": token})
