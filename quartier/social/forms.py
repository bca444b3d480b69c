"""Forms: they check input and hold the person's data for a re-render; the rules are in actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.lib.images import MAX_UPLOAD_BYTES
from quartier.social.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    Notification,
    Post,
    Reaction,
    Report,
    SocialSettings,
)

ALT_NEEDED = _("Describe the image in a few words: people who cannot see it read this instead.")


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown: **bold**, *italics*, [a link](https://…), lists with “-”."),
    )  # fmt: skip
    image = forms.ImageField(
        label=_("Image"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most.")
    )
    image_alt = forms.CharField(
        label=_("Describe the image"), max_length=300, required=False,
        help_text=_("For people who cannot see it: what it shows, and any words written on it."),
    )  # fmt: skip
    visibility = forms.ChoiceField(label=_("Who can read it"), choices=Post.Visibility.choices)

    def __init__(self, *args, in_group: bool = False, has_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_image = has_image
        if not in_group:
            self.fields["visibility"].choices = [
                choice for choice in Post.Visibility.choices if choice[0] != Post.Visibility.GROUP
            ]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and image.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("This image is too large: 5 MB at most."))
        return image

    def clean(self):
        data = super().clean()
        if (data.get("image") or self.has_image) and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", ALT_NEEDED)
        if not (data.get("title") or "").strip() and not (data.get("body") or "").strip():
            raise forms.ValidationError(_("Write a title or some text first."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        strip=True,
    )  # fmt: skip
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class RepostForm(forms.Form):
    body = forms.CharField(
        label=_("Say why you share it"), max_length=COMMENT_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=[c for c in Post.Visibility.choices if c[0] != Post.Visibility.GROUP],
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=True,
    )


class NewConversationForm(MessageForm):
    to = forms.CharField(
        label=_("To"), max_length=400,
        help_text=_("Handles of the people to write to, separated by commas (up to 19)."),
    )  # fmt: skip
    title = forms.CharField(label=_("Subject"), max_length=120, required=False)
    field_order = ["to", "title", "body"]

    def clean_to(self) -> list[str]:
        handles = [part.strip().lstrip("@") for part in self.cleaned_data["to"].split(",")]
        handles = [handle for handle in dict.fromkeys(handles) if handle]
        if not handles:
            raise forms.ValidationError(_("Say whom to write to."))
        if len(handles) > 19:
            raise forms.ValidationError(_("A conversation has 20 people at most."))
        return handles


class SettingsForm(forms.Form):
    shares_group_joins = forms.BooleanField(
        label=_("Show my followers when I join a local group"), required=False
    )
    shares_hosting = forms.BooleanField(label=_("Show my followers the events I host"), required=False)
    email_frequency = forms.ChoiceField(
        label=_("Email me my notifications"), choices=SocialSettings.EmailFrequency.choices
    )
    muted_kinds = forms.MultipleChoiceField(
        label=_("Do not tell me at all about"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Notification.Kind.choices if c[0] != Notification.Kind.MODERATION],
    )  # fmt: skip
    email_muted_kinds = forms.MultipleChoiceField(
        label=_("Tell me in the app but not by email about"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Notification.Kind.choices if c[0] != Notification.Kind.MODERATION],
    )  # fmt: skip


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModerationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"))
    reason = forms.CharField(
        label=_("Reason, shown to the author"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    days = forms.IntegerField(
        label=_("Days of suspension"), min_value=1, max_value=365, initial=7, required=False
    )

    def __init__(self, *args, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from quartier.social.actions.moderation import LEADER_ACTIONS
        from quartier.social.models import ModerationAction

        self.fields["kind"].choices = [
            (value, label) for value, label in ModerationAction.Kind.choices
            if value != ModerationAction.Kind.LIFT and (staff or value in LEADER_ACTIONS)
        ]  # fmt: skip


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision should change"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda value: value == "yes",
        choices=[("yes", _("Grant: reverse the decision")), ("no", _("Refuse: the decision stands"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    decision = forms.CharField(
        label=_("Answer, shown to the author"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search people and posts"), max_length=200, required=False)
