"""Campaign emails assembled as bytes (`mime.assemble`) say what Django's own MIME tree said: the same
headers, the same text and HTML, byte for byte in the text part; names are escaped in HTML."""

from __future__ import annotations

import email
import email.policy
import quopri

import pytest
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from quartier.outreach import emails, merge, mime
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.models import CAMPAIGN_NEWS, TOPICS, Message

pytestmark = pytest.mark.django_db

HEADERS = [
    "Subject",
    "From",
    "To",
    "Reply-To",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Content-Language",
]


def campaign(staff, body: str = "Hello {{ first_name }},\n\nSee you **Saturday** in {{ town }}.") -> Message:
    return drafts_actions.save_draft(
        author=staff,
        draft=drafts_actions.Draft(
            subject="{{ first_name }}, the canvass starts",
            body=body,
            versions={
                "fr": {
                    "subject": "{{ first_name }}, le porte-à-porte commence",
                    "body": "Bonjour {{ first_name }}, à samedi !",
                }
            },
            segment={"topic": CAMPAIGN_NEWS},
        ),
    )


def parts(data: bytes) -> tuple[email.message.Message, dict[str, email.message.Message]]:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    return parsed, {part.get_content_type(): part for part in parsed.walk() if not part.is_multipart()}


def as_django_would(prepared: mime.PreparedEmail) -> bytes:
    """The same email through Django's own MIME classes (what every email was before)."""
    plain = EmailMultiAlternatives(
        subject=prepared.subject, body=prepared.body, from_email=prepared.from_email, to=prepared.to,
        reply_to=prepared.reply_to, headers=prepared.extra_headers,
    )  # fmt: skip
    plain.attach_alternative(*prepared.alternatives[0])
    return plain.message().as_bytes(linesep="\r\n")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_assembled_email_says_what_django_s_mime_tree_said(language, staff, make_supporter):
    reader = make_supporter("<script>alert(1)</script> Zoé", language=language)
    reader.town = "Saint-Jérôme & <b>Lac</b>"
    renderer = emails.Renderer(campaign(staff))
    renderer.prepare([reader])

    prepared = renderer.email_for(reader, delivery_id=7)
    ours, our_parts = parts(prepared.message().as_bytes(linesep="\r\n"))
    theirs, their_parts = parts(as_django_would(prepared))

    for header in HEADERS:
        assert " ".join(str(ours[header] or "").split()) == " ".join(str(theirs[header] or "").split()), (
            header
        )
    assert ours["Message-ID"] == theirs["Message-ID"] == f"<outreach.{renderer.message.pk}.7@localhost>"
    assert our_parts["text/plain"].get_payload(decode=True) == their_parts["text/plain"].get_payload(
        decode=True
    )
    assert our_parts["text/html"].get_content() == their_parts["text/html"].get_content()
    html = our_parts["text/html"].get_content()
    assert "<script>" not in html and ours["Subject"].startswith("<script>alert(1)</script>, ")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Lac" in html or language == "fr"  # the French body names no town
    assert "<script>" in our_parts["text/plain"].get_content()  # plain text is not HTML: kept as written


def test_the_text_is_the_one_a_per_reader_template_render_gives(staff, make_supporter, settings):
    reader = make_supporter("Ana <b>Lopez</b>")
    message = campaign(staff)
    renderer = emails.Renderer(message)
    renderer.prepare([reader])
    _language, subject, text, _html, unsubscribe = renderer.render(reader)
    preferences = text.split("Email preferences: ")[1].split("\n")[0]

    with translation.override("en"):
        label = str(TOPICS[CAMPAIGN_NEWS])
        expected = render_to_string(
            "outreach/email/message.txt",
            {
                "message": message, "audience_label": label, "subject": subject, "preview_text": "",
                "body": merge.fill(message.body, renderer.values_for(reader), html=False),
                "body_html": "", "sender": message.sender, "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe, "preferences_url": preferences,
                "reason": emails.REASONS[CAMPAIGN_NEWS] % {"audience": label, "site": settings.SITE_NAME},
                "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
            },
        )  # fmt: skip

    assert text == expected
    assert "Hello Ana," in text


def test_a_line_longer_than_smtp_allows_goes_quoted_printable(staff, make_supporter):
    reader = make_supporter("Long Liner")
    renderer = emails.Renderer(campaign(staff, body="word " * 400))
    renderer.prepare([reader])

    prepared = renderer.email_for(reader, delivery_id=1)
    data = prepared.message().as_bytes(linesep="\r\n")
    _parsed, found = parts(data)

    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert found["text/plain"]["Content-Transfer-Encoding"] == "quoted-printable"
    assert found["text/plain"].get_content().replace("\r\n", "\n") == prepared.body
    assert quopri.decodestring(mime._body(prepared.body)[1].encode()).decode() == prepared.body


def test_non_ascii_headers_are_encoded_words_that_decode_back():
    value = "Zoé, le porte-à-porte commence samedi près de Saint-Jérôme 🎉 " * 3

    encoded = mime.header_value(value)

    assert encoded.isascii() and all(len(line) <= 76 for line in encoded.split("\n "))
    parsed = email.message_from_bytes(f"Subject: {encoded}\r\n\r\n".encode(), policy=email.policy.default)
    assert parsed["Subject"] == value
