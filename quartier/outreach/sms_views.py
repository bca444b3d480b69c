"""Staff pages for campaign texts (`/organize/sms/`): compose to a segment, preview, send, follow.

Staff only (404 for anyone else, as the email pages). Sending writes the message and its deliveries
once per form (its `send_key`) and hands them to Celery tasks; the detail page polls the progress.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from quartier.outreach import access, forms, merge, queries, segments, sms_text
from quartier.outreach.actions import campaign_send as campaign_send_actions


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff(request.user):
        raise Http404


def _frames() -> list[dict[str, str]]:
    """Each language's frame, for the live counter (`static/outreach/sms-counter.js`)."""
    frames = []
    for code, name in settings.LANGUAGES:
        before, after = sms_text.frame(code)
        words = _(
            "%(language)s (with the name and STOP line) — characters: {chars} · SMS segments: {segments} · {encoding}"
        ) % {"language": name}
        frames.append({"code": code, "before": before, "after": after, "words": words})
    return frames


def _previews(form: forms.SmsComposeForm) -> list[dict]:
    """What a recipient of each language gets (sample merge values), with its length in segments."""
    rows = []
    for code, name in settings.LANGUAGES:
        words = form.words()[code]
        with translation.override(code):
            samples = merge.sample_values(merge.used_fields(words))
        text = sms_text.compose(words, code, samples)
        rows.append({"code": code, "name": name, "text": text, "length": sms_text.length(text)})
    return rows


@never_cache
def text_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    rows = queries.staff_messages(channel="sms")
    return render(request, "outreach/staff/sms_list.html", {"rows": rows})


@never_cache
@require_http_methods(["GET", "POST"])
def text_compose(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST `preview`: the texts as each language's readers get them, with the count;
    POST `send`: write it once (the form's key) and queue it."""
    _staff_only(request)
    form = forms.SmsComposeForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form, "frames": _frames(), "count": None, "by_language": [], "previews": []}
    if request.method == "POST" and form.is_valid():
        segment = form.to_segment()
        if request.POST.get("action") == "send":
            try:
                message = campaign_send_actions.send_sms_message(
                    author=request.user,
                    body=form.cleaned_data["body"],
                    versions=form.versions(),
                    segment=segment.to_dict(),
                    send_key=form.cleaned_data["send_key"],
                )
            except campaign_send_actions.OutreachError as error:
                for problem in error.problems:
                    form.add_error(None, problem)
            else:
                messages.success(
                    request, _("Your text is queued: it goes out now, and later where it is night.")
                )
                return redirect("outreach:text_detail", message.pk)
        context["previews"] = _previews(form)
        names = dict(settings.LANGUAGES)
        context["by_language"] = [
            (str(names.get(code, code)), people)
            for code, people in sorted(segments.sms_count_by_language(segment).items())
        ]
    if not form.is_bound or form.is_valid():
        segment = form.to_segment() if form.is_bound else segments.Segment()
        context["count"] = segments.sms_recipients(segment).count()
    return render(request, "outreach/staff/sms_compose.html", context)


@never_cache
def text_count(request: HttpRequest) -> HttpResponse:
    """The live count of people a text reaches (htmx: the segment fields, on every change)."""
    _staff_only(request)
    form = forms.SegmentForm(request.GET)
    form.fields.pop("topic")
    count = segments.sms_recipients(form.to_segment()).count() if form.is_valid() else None
    return render(request, "outreach/staff/_sms_count.html", {"count": count, "form": form})


@never_cache
def text_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = access.get_staff_text(request.user, message_id)
    versions = [(settings.LANGUAGE_CODE, message.body)] + [
        (code, version.get("body", "")) for code, version in message.versions.items()
    ]
    names = dict(settings.LANGUAGES)
    context = {
        "message": message,
        "versions": [(names.get(code, code), words) for code, words in versions],
        "progress": queries.message_progress(message),
    }
    return render(request, "outreach/staff/sms_detail.html", context)


@never_cache
def text_progress(request: HttpRequest, message_id: int) -> HttpResponse:
    """Sent, deferred (quiet hours), failed: polled by the detail page (htmx) while it sends."""
    message = access.get_staff_text(request.user, message_id)
    progress = queries.message_progress(message)
    return render(request, "outreach/staff/_sms_progress.html", {"message": message, "progress": progress})
