"""A factory for every registered personal-data source (see `quartier/accounts/privacy.py`).

`FACTORIES[name]` fills source `name` for a supporter with at least two rows in each of its models
where the model allows more than one (a profile, a calendar feed or a referral code is one per
supporter), each row carrying a marker text where it has a text field, so that the export and
erasure tests can find every row. `owned(supporter)` says which rows are the supporter's.

A newly registered source needs an entry here: `test_every_registered_source_has_a_factory` fails
until it has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import (
    Activity,
    Affiliation,
    AffiliationChange,
    EmailConsent,
    Profile,
    Supporter,
)
from quartier.dashboard.models import LastActive, Referral, SupporterFigure
from quartier.donations import sandbox
from quartier.donations.actions import checkout as donations_checkout
from quartier.donations.actions import pages as donations_pages
from quartier.donations.actions import recurring as donations_recurring
from quartier.donations.actions import refunds as donations_refunds
from quartier.donations.models import (
    Donation,
    FundraisingPage,
    RecurringGift,
    RefundRequest,
    SavedPaymentMethod,
    Team,
)
from quartier.fieldwork.actions import calls as fieldwork_calls
from quartier.fieldwork.actions import results as fieldwork_results
from quartier.fieldwork.actions import walk_lists as fieldwork_walk_lists
from quartier.fieldwork.models import Contact, FieldCampaign, ImportJob, Result, Target, WalkList
from quartier.organizing.actions import events as organizing_events
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.actions import guest_rsvps as organizing_guest_rsvps
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.organizing.models import CalendarFeed, Event, Group, Membership, PendingRsvp, Rsvp, SentReminder
from quartier.outreach.actions import campaign_send as outreach_campaign_send
from quartier.outreach.actions import consent as outreach_consent
from quartier.outreach.actions import feedback as outreach_feedback
from quartier.outreach.actions import sms as outreach_sms
from quartier.outreach.models import (
    AudienceConsent,
    CurrentConsent,
    Delivery,
    Message,
    SmsSubscription,
    Suppression,
)
from quartier.reach.actions import referral_code_for
from quartier.reach.models import ReferralCode
from quartier.social import models as social
from quartier.social.actions import connections as social_connections
from quartier.social.actions import conversations as social_conversations
from quartier.social.actions import moderation as social_moderation
from quartier.social.actions import posts as social_posts
from quartier.testing import TOTP_SECRET


@dataclass
class People:
    """Who else the factories need: someone who writes, hosts and leads, and a staff member."""

    organiser: Supporter
    staff: Supporter
    markers: list[str] = field(default_factory=list)

    def make_event(self, host: Supporter, *, title: str, capacity: int = 10) -> Event:
        start = timezone.now() + timedelta(days=3)
        draft = organizing_events.EventDraft(
            title=title, description="", event_type="canvass", is_virtual=False, join_url="", venue="Parc",
            address="1 rue du Parc", address_visibility=Event.AddressVisibility.PUBLIC, country="CA",
            postal_code="H2T 1A1", town="Montréal", latitude=45.52, longitude=-73.58, time_zone="America/Toronto",
            max_guests_per_rsvp=0, group=None,
            shifts=[organizing_events.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity)],
        )  # fmt: skip
        return organizing_events.create_event(host=host, draft=draft)

    def make_group(self, creator: Supporter, *, name: str) -> Group:
        draft = organizing_groups.GroupDraft(
            name=name, description="", area="Plateau", country="CA", postal_code="H2X 1Y4", latitude=45.52,
            longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
        )  # fmt: skip
        return organizing_groups.create_group(creator=creator, draft=draft)

    def marker(self, source: str, number: int) -> str:
        text = f"marker-{source}-{number}-{len(self.markers)}"  # unique to each row made
        self.markers.append(text)
        return text


@dataclass(frozen=True)
class Factory:
    make: Callable[[Supporter, People], None]
    owned: Callable[[Supporter], dict[type[Model], QuerySet]]
    # How many of the supporter's rows of each model the export lists (None: left out on purpose, and why).
    exported: Callable[[object], dict[type[Model], int]]
    not_exported: str = ""


def _account(supporter: Supporter, people: People) -> None:
    Supporter.objects.filter(pk=supporter.pk).update(display_name=people.marker("account", 1))


def _profile(supporter: Supporter, people: People) -> None:
    Profile.objects.filter(supporter=supporter).update(
        bio=people.marker("profile", 1), why_involved=people.marker("profile", 2)
    )


def _email_addresses(supporter: Supporter, people: People) -> None:
    second = EmailAddress.objects.create(
        user=supporter, email=f"{people.marker('email_addresses', 1)}@example.org", verified=False
    )
    for address in EmailAddress.objects.filter(user=supporter):
        EmailConfirmation.create(address)
    assert second.pk


def _email_consents(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        accounts_actions.record_email_consent(
            supporter=supporter, topic=EmailConsent.Topic.CAMPAIGN_NEWS, granted=number == 1,
            wording=people.marker("email_consents", number), language="en", source=EmailConsent.Source.SETTINGS,
            ip_address=None,
        )  # fmt: skip


def _affiliation_changes(supporter: Supporter, people: People) -> None:
    for affiliation in (Affiliation.AMBASSADOR, Affiliation.NONE):
        accounts_actions.set_affiliation(
            supporter=supporter, affiliation=affiliation, changed_by=people.staff
        )


def _activity(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        record_activity(
            "tests.did",
            supporter=supporter,
            key=people.marker("activity", number),
            credited_to=people.organiser,
        )


def _two_factor(supporter: Supporter, people: People) -> None:
    TOTP.activate(supporter, TOTP_SECRET)
    RecoveryCodes.activate(supporter)


def _admin_log(supporter: Supporter, people: People) -> None:
    kind = ContentType.objects.get_for_model(Group)
    for number in (1, 2):
        LogEntry.objects.create(
            user=supporter, content_type=kind, object_id="1", object_repr=people.marker("admin_log", number),
            action_flag=ADDITION,
        )  # fmt: skip


def _group_memberships(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        group = people.make_group(people.organiser, name=people.marker("group_memberships", number))
        organizing_groups.join_group(
            supporter=supporter, group=group, accepts_messages=False, consent_wording="No", language="en",
            ip_address=None,
        )  # fmt: skip


def _rsvps(supporter: Supporter, people: People) -> None:
    """A confirmed, a waitlisted and a cancelled RSVP, with two reminders sent."""
    records = []
    for number in (1, 2, 3):
        event = people.make_event(people.organiser, title=people.marker("rsvps", number), capacity=1)
        if number == 2:
            organizing_rsvps.rsvp(supporter=people.staff, shift=event.shifts.get())
        records.append(
            organizing_rsvps.rsvp(supporter=supporter, shift=event.shifts.get(), phone=f"514 555 010{number}")
        )
    organizing_rsvps.cancel_rsvp(rsvp_record=records[2])
    for hours in (24, 2):
        SentReminder.objects.create(rsvp=records[0], hours_before=hours)


def _pending_rsvps(supporter: Supporter, people: People) -> None:
    """Two RSVPs asked for the supporter's address by someone not signed in: a guest and a walk-in."""
    for number, kind in ((1, PendingRsvp.Kind.GUEST), (2, PendingRsvp.Kind.WALK_IN)):
        event = people.make_event(people.organiser, title=f"Asked for {number}")
        organizing_guest_rsvps.request_rsvp(
            event=event, shifts=[event.shifts.get()], kind=kind,
            request=organizing_guest_rsvps.RsvpRequest(email=supporter.email, name=people.marker("pending_rsvps", number)),
        )  # fmt: skip


def _hosted(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        people.make_event(supporter, title=people.marker("hosted_events_and_groups", number))
        people.make_group(supporter, name=people.marker("hosted_events_and_groups", number + 2))


def _calendar_feed(supporter: Supporter, people: People) -> None:
    CalendarFeed.objects.create(supporter=supporter)


def _audience_consents(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_consent.record_consent(
            supporter=supporter, audience=f"group:{9000 + number}", granted=True,
            wording=people.marker("audience_consents", number), language="en", source=AudienceConsent.Source.JOIN,
            ip_address=None,
        )  # fmt: skip


def _messages_received(supporter: Supporter, people: People) -> None:
    outreach_consent.record_consent(
        supporter=supporter, audience="group:9100", granted=True, wording="Yes", language="en",
        source=AudienceConsent.Source.JOIN, ip_address=None,
    )  # fmt: skip
    for number in (1, 2):
        outreach_campaign_send.send_message(
            sender=people.organiser, audience="group:9100", audience_label="Neighbours", recipients=[supporter],
            subject=people.marker("messages_received", number), body="Hello.",
        )  # fmt: skip


def _messages_sent(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_campaign_send.send_message(
            sender=supporter, audience="group:9200", audience_label="Street", recipients=[people.organiser],
            subject=people.marker("messages_sent", number), body="Hello.",
        )  # fmt: skip


def _current_consents(supporter: Supporter, people: People) -> None:
    from quartier.outreach import consent_sync
    from quartier.outreach.models import TOPIC_FUNDRAISING

    outreach_consent.record_consent(
        supporter=supporter, audience=TOPIC_FUNDRAISING, granted=True, wording="Yes", language="en",
        source=AudienceConsent.Source.SETTINGS, ip_address=None,
    )  # fmt: skip
    consent_sync.sync()


def _email_suppression(supporter: Supporter, people: People) -> None:
    outreach_feedback.suppress_address(
        address=supporter.email,
        reason=Suppression.Reason.UNSUBSCRIBED,
        source=people.marker("email_suppression", 1),
    )


def _sms_subscriptions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_sms.sms_opt_in(
            phone=f"+1514555{supporter.pk % 1000:03d}{number}", wording=people.marker("sms_subscriptions", number),
            language="en", source=SmsSubscription.Source.FORM, supporter=supporter,
        )  # fmt: skip


def _referral_code(supporter: Supporter, people: People) -> None:
    referral_code_for(supporter)


def _gift(supporter: Supporter, marker: str, *, frequency: str = "once") -> Donation:
    draft = donations_checkout.DonationDraft(
        first_name="Gift", last_name=marker, email=supporter.email, amount_minor=2500, currency="CAD",
        frequency=frequency, postal_code=supporter.postal_code, occupation=marker, supporter=supporter,
    )  # fmt: skip
    donation = donations_checkout.start_donation(draft=draft, gateway="sandbox")
    sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
    return Donation.objects.get(pk=donation.pk)


def _donations(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        _gift(supporter, people.marker("donations", number))


def _monthly_gifts(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        _gift(supporter, people.marker("monthly_gifts", number), frequency="monthly")


def _refund_requests(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        gift = _gift(supporter, f"refund-{number}")
        donations_refunds.request_refund(
            donation=gift, supporter=supporter, reason=people.marker("refund_requests", number)
        )


def _saved_payment_methods(supporter: Supporter, people: People) -> None:
    for gateway in ("sandbox", "stripe"):
        donations_recurring.remember_payment_method(
            supporter=supporter, gateway=gateway, customer_reference="cus_1", method_reference="pm_1",
            label=people.marker("saved_payment_methods", 1)[:60],
        )  # fmt: skip


def _fundraising_pages(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        donations_pages.create_page(
            owner=supporter,
            draft=donations_pages.PageDraft(
                title=people.marker("fundraising_pages", number), story="", goal_minor=10_000
            ),
        )


def _fundraising_teams(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        donations_pages.create_team(captain=supporter, name=people.marker("fundraising_teams", number))


# --- social ---


def _social_post(author: Supporter, marker: str, *, publish: bool = True) -> social.Post:
    draft = social_posts.PostDraft(title=marker, body=marker, visibility=social.Post.Visibility.PUBLIC)
    return social_posts.create_post(author=author, draft=draft, publish=publish)


def _follows(supporter: Supporter, people: People) -> None:
    social_connections.follow(follower=supporter, followed=people.organiser)
    social_connections.follow(follower=people.staff, followed=supporter)


def _blocks(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        marker = people.marker("blocks", number)  # the blocked person's handle, in the export
        other = Supporter.objects.create_user(f"{marker}@example.org", handle=marker, display_name="Blocked")
        social_connections.block(blocker=supporter, blocked=other)


def _social_settings(supporter: Supporter, people: People) -> None:
    social_connections.update_settings(
        supporter=supporter, shares_group_joins=True, shares_hosting=False, email_frequency="daily",
        muted_kinds=[], email_muted_kinds=["reaction"],
    )  # fmt: skip


def _posts(supporter: Supporter, people: People) -> None:
    _social_post(supporter, people.marker("posts", 1))
    _social_post(supporter, people.marker("posts", 2), publish=False)


def _comments(supporter: Supporter, people: People) -> None:
    post = _social_post(people.organiser, "A post to comment on")
    first = social_posts.add_comment(author=supporter, post=post, body=people.marker("comments", 1))
    social_posts.add_comment(author=supporter, post=post, body=people.marker("comments", 2), parent=first)


def _reactions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_posts.react(
            supporter=supporter, post=_social_post(people.organiser, f"React {number}"), kind="like"
        )


def _conversations(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_conversations.start_conversation(
            sender=supporter, recipients=[people.organiser, people.staff][: number], title=people.marker("conversations", number),
            body="Hello",
        )  # fmt: skip


def _conversation_messages(supporter: Supporter, people: People) -> None:
    conversation = social_conversations.start_conversation(
        sender=people.organiser, recipients=[supporter], title="Question", body="Hello there"
    )
    for number in (1, 2):
        social_conversations.send_message(
            sender=supporter, conversation=conversation, body=people.marker("conversation_messages", number)
        )


def _notifications(supporter: Supporter, people: People) -> None:
    post = _social_post(supporter, "Notify me")
    social_posts.add_comment(author=people.organiser, post=post, body="Nice")
    social_posts.react(supporter=people.organiser, post=post, kind="like")


def _reports_made(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_moderation.report(
            reporter=supporter, reason="spam", details=people.marker("reports_made", number),
            post=_social_post(people.organiser, f"Reported {number}"),
        )  # fmt: skip


def _moderation_decisions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        post = _social_post(supporter, f"Moderated {number}")
        found = social_moderation.report(reporter=people.organiser, reason="spam", details="", post=post)
        action = social_moderation.moderate(
            moderator=people.staff, report=found, kind="hide", reason="Off topic"
        )
        social_moderation.appeal(
            supporter=supporter, action=action, text=people.marker("moderation_decisions", number)
        )


def _dashboard_figures(supporter: Supporter, people: People) -> None:
    today = timezone.localdate()
    for number in (1, 2):
        SupporterFigure.objects.create(
            supporter=supporter, day=today, metric=people.marker("dashboard_figures", number), count=number
        )
    LastActive.objects.create(supporter=supporter, day=today, region="H2X")
    Referral.objects.create(supporter=supporter, referrer=people.organiser)


# --- fieldwork ---------------------------------------------------------------------------------


def _fieldwork_contact_record(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        marker = people.marker("fieldwork_contact_record", number)
        Contact.objects.create(first_name=marker, supporter=supporter, dedupe_key=f"id:{marker}")


def _fieldwork_volunteering(supporter: Supporter, people: People) -> None:
    """Two walk lists held, two doors knocked (with notes), a contact called and one leased."""
    canvass = FieldCampaign.objects.create(kind="canvass", name="Knock")
    bank = FieldCampaign.objects.create(kind="phone_bank", name="Call", open_from_home=True,
                                        calling_hours_start=0, calling_hours_end=24)  # fmt: skip
    tag = f"{supporter.pk}-{len(people.markers)}"
    contacts = [
        Contact.objects.create(
            first_name="Door",
            address=f"{n} rue {tag}",
            household_key=f"{n}|{tag}",
            phone=f"+1514555{n:04d}",
            dedupe_key=f"door:{tag}:{n}",
        )
        for n in range(1, 5)
    ]
    chosen = Contact.objects.filter(pk__in=[c.pk for c in contacts])
    lists = fieldwork_walk_lists.cut_walk_lists(
        campaign=canvass, contacts=chosen, doors_per_list=2, max_lists=2
    )
    for walk_list in lists:
        fieldwork_walk_lists.assign_walk_list(walk_list=walk_list, volunteer=supporter)
        target = walk_list.targets.order_by("position").first()
        fieldwork_results.record_result(
            volunteer=supporter, target=target, walk_list=walk_list, channel=Result.Channel.DOOR,
            data=fieldwork_results.ResultInput(outcome="supportive", notes=people.marker("fieldwork_volunteering", 1)),
        )  # fmt: skip
    fieldwork_calls.add_targets(campaign=bank, contacts=chosen)
    # One contact called (the supporter is its caller from now on), one held on a lease.
    called = fieldwork_calls.claim_next_call(volunteer=supporter, campaign=bank)
    fieldwork_results.record_result(
        volunteer=supporter, target=called, channel=Result.Channel.CALL,
        data=fieldwork_results.ResultInput(outcome="not_home", notes=people.marker("fieldwork_volunteering", 2)),
    )  # fmt: skip
    fieldwork_calls.claim_next_call(volunteer=supporter, campaign=bank)


def _fieldwork_imports(supporter: Supporter, people: People) -> None:
    """Two contact files uploaded (one waiting for its columns, one done)."""
    for number, status in ((1, ImportJob.Status.UPLOADED), (2, ImportJob.Status.DONE)):
        job = ImportJob.objects.create(
            original_name=people.marker("fieldwork_imports", number), uploaded_by=supporter, status=status
        )
        job.file.save("contacts.csv", ContentFile(b"name,address\nAnne,1 rue Rachel\n"))


def _count(rows: object) -> int:
    return 0 if rows is None else (len(rows) if isinstance(rows, list) else 1)


FACTORIES: dict[str, Factory] = {
    "account": Factory(
        _account,
        owned=lambda s: {Supporter: Supporter.objects.filter(pk=s.pk)},
        exported=lambda data: {Supporter: _count(data)},
    ),
    "profile": Factory(
        _profile,
        owned=lambda s: {Profile: Profile.objects.filter(supporter=s)},
        exported=lambda data: {Profile: _count(data)},
    ),
    "email_addresses": Factory(
        _email_addresses,
        owned=lambda s: {
            EmailAddress: EmailAddress.objects.filter(user=s),
            EmailConfirmation: EmailConfirmation.objects.filter(email_address__user=s),
        },
        exported=lambda data: {EmailAddress: _count(data)},
        not_exported="EmailConfirmation: the keys of confirmation links are credentials, not information",
    ),
    "email_consents": Factory(
        _email_consents,
        owned=lambda s: {EmailConsent: EmailConsent.objects.filter(supporter=s)},
        exported=lambda data: {EmailConsent: _count(data)},
    ),
    "affiliation_changes": Factory(
        _affiliation_changes,
        owned=lambda s: {AffiliationChange: AffiliationChange.objects.filter(supporter=s)},
        exported=lambda data: {AffiliationChange: _count(data)},
    ),
    "activity": Factory(
        _activity,
        owned=lambda s: {Activity: Activity.objects.filter(supporter=s)},
        exported=lambda data: {Activity: _count(data)},
    ),
    "two_factor_authenticators": Factory(
        _two_factor,
        owned=lambda s: {Authenticator: Authenticator.objects.filter(user=s)},
        exported=lambda data: {Authenticator: _count(data)},
    ),
    "admin_log": Factory(
        _admin_log,
        owned=lambda s: {LogEntry: LogEntry.objects.filter(user=s)},
        exported=lambda data: {LogEntry: _count(data)},
    ),
    "group_memberships": Factory(
        _group_memberships,
        owned=lambda s: {Membership: Membership.objects.filter(supporter=s)},
        exported=lambda data: {Membership: _count(data)},
    ),
    "rsvps": Factory(
        _rsvps,
        owned=lambda s: {
            Rsvp: Rsvp.objects.filter(supporter=s),
            SentReminder: SentReminder.objects.filter(rsvp__supporter=s),
        },
        exported=lambda data: {Rsvp: _count(data)},
        not_exported="SentReminder: which reminders went out is bookkeeping that sends each one once",
    ),
    "pending_rsvps": Factory(
        _pending_rsvps,
        owned=lambda s: {PendingRsvp: PendingRsvp.objects.filter(Q(supporter=s) | Q(email__iexact=s.email))},
        exported=lambda data: {PendingRsvp: _count(data)},
    ),
    "hosted_events_and_groups": Factory(
        _hosted,
        owned=lambda s: {Event: Event.objects.filter(host=s), Group: Group.objects.filter(created_by=s)},
        exported=lambda data: {Event: _count(data["events"]), Group: _count(data["groups_started"])},
    ),
    "calendar_feed": Factory(
        _calendar_feed,
        owned=lambda s: {CalendarFeed: CalendarFeed.objects.filter(supporter=s)},
        exported=lambda data: {},
        not_exported="CalendarFeed: the secret address is a credential, not information about the supporter",
    ),
    "audience_consents": Factory(
        _audience_consents,
        owned=lambda s: {AudienceConsent: AudienceConsent.objects.filter(supporter=s)},
        exported=lambda data: {AudienceConsent: _count(data)},
    ),
    "messages_received": Factory(
        _messages_received,
        owned=lambda s: {Delivery: Delivery.objects.filter(supporter=s)},
        exported=lambda data: {Delivery: _count(data)},
    ),
    "messages_sent": Factory(
        _messages_sent,
        owned=lambda s: {Message: Message.objects.filter(sender=s)},
        exported=lambda data: {Message: _count(data)},
    ),
    "current_consents": Factory(
        _current_consents,
        owned=lambda s: {CurrentConsent: CurrentConsent.objects.filter(supporter=s)},
        exported=lambda data: {CurrentConsent: _count(data)},
    ),
    "email_suppression": Factory(
        _email_suppression,
        owned=lambda s: {Suppression: Suppression.objects.filter(address=s.email)},
        exported=lambda data: {Suppression: _count(data)},
    ),
    "sms_subscriptions": Factory(
        _sms_subscriptions,
        owned=lambda s: {SmsSubscription: SmsSubscription.objects.filter(supporter=s)},
        exported=lambda data: {SmsSubscription: _count(data)},
    ),
    "donations": Factory(
        _donations,
        owned=lambda s: {Donation: Donation.objects.filter(supporter=s)},
        exported=lambda data: {Donation: _count(data)},
    ),
    "monthly_gifts": Factory(
        _monthly_gifts,
        owned=lambda s: {RecurringGift: RecurringGift.objects.filter(supporter=s)},
        exported=lambda data: {RecurringGift: _count(data)},
    ),
    "refund_requests": Factory(
        _refund_requests,
        owned=lambda s: {RefundRequest: RefundRequest.objects.filter(requested_by=s)},
        exported=lambda data: {RefundRequest: _count(data)},
    ),
    "saved_payment_methods": Factory(
        _saved_payment_methods,
        owned=lambda s: {SavedPaymentMethod: SavedPaymentMethod.objects.filter(supporter=s)},
        exported=lambda data: {SavedPaymentMethod: _count(data)},
    ),
    "fundraising_pages": Factory(
        _fundraising_pages,
        owned=lambda s: {FundraisingPage: FundraisingPage.objects.filter(owner=s)},
        exported=lambda data: {FundraisingPage: _count(data)},
    ),
    "fundraising_teams": Factory(
        _fundraising_teams,
        owned=lambda s: {Team: Team.objects.filter(captain=s)},
        exported=lambda data: {Team: _count(data)},
    ),
    "referral_code": Factory(
        _referral_code,
        owned=lambda s: {ReferralCode: ReferralCode.objects.filter(supporter=s)},
        exported=lambda data: {ReferralCode: _count(data)},
    ),
    "follows": Factory(
        _follows,
        owned=lambda s: {social.Follow: social.Follow.objects.filter(Q(follower=s) | Q(followed=s))},
        exported=lambda data: {social.Follow: _count(data)},
    ),
    "blocks": Factory(
        _blocks,
        owned=lambda s: {social.Block: social.Block.objects.filter(blocker=s)},
        exported=lambda data: {social.Block: _count(data)},
    ),
    "social_settings": Factory(
        _social_settings,
        owned=lambda s: {social.SocialSettings: social.SocialSettings.objects.filter(supporter=s)},
        exported=lambda data: {social.SocialSettings: _count(data)},
    ),
    "posts": Factory(
        _posts,
        owned=lambda s: {social.Post: social.Post.objects.filter(author=s)},
        exported=lambda data: {social.Post: _count(data)},
    ),
    "comments": Factory(
        _comments,
        owned=lambda s: {social.Comment: social.Comment.objects.filter(author=s)},
        exported=lambda data: {social.Comment: _count(data)},
    ),
    "reactions": Factory(
        _reactions,
        owned=lambda s: {social.Reaction: social.Reaction.objects.filter(supporter=s)},
        exported=lambda data: {social.Reaction: _count(data)},
    ),
    "conversations": Factory(
        _conversations,
        owned=lambda s: {
            social.Participant: social.Participant.objects.filter(supporter=s),
            social.Conversation: social.Conversation.objects.filter(created_by=s),
        },
        exported=lambda data: {social.Participant: _count(data)},
        not_exported="Conversation: its subject is exported with each participation",
    ),
    "conversation_messages": Factory(
        _conversation_messages,
        owned=lambda s: {social.Message: social.Message.objects.filter(sender=s)},
        exported=lambda data: {social.Message: _count(data)},
    ),
    "notifications": Factory(
        _notifications,
        owned=lambda s: {
            social.Notification: social.Notification.objects.filter(Q(recipient=s) | Q(actor=s))
        },
        exported=lambda data: {},
        not_exported="Notification: the ones received are exported; those caused for others are theirs",
    ),
    "reports_made": Factory(
        _reports_made,
        owned=lambda s: {social.Report: social.Report.objects.filter(reporter=s)},
        exported=lambda data: {social.Report: _count(data)},
    ),
    "moderation_decisions": Factory(
        _moderation_decisions,
        owned=lambda s: {
            social.ModerationAction: social.ModerationAction.objects.filter(subject=s),
            social.Appeal: social.Appeal.objects.filter(supporter=s),
        },
        exported=lambda data: {
            social.ModerationAction: _count(data["decisions"]),
            social.Appeal: _count(data["appeals"]),
        },
    ),
    "dashboard_figures": Factory(
        _dashboard_figures,
        owned=lambda s: {
            SupporterFigure: SupporterFigure.objects.filter(supporter=s),
            LastActive: LastActive.objects.filter(supporter=s),
            Referral: Referral.objects.filter(supporter=s),
        },
        exported=lambda data: {
            SupporterFigure: _count(data["figures"]),
            LastActive: _count(data["last_active"]),
            Referral: _count(data["brought_in_by"]),
        },
    ),
}

FACTORIES |= {
    "fieldwork_contact_record": Factory(
        _fieldwork_contact_record,
        owned=lambda s: {Contact: Contact.objects.filter(supporter=s)},
        exported=lambda data: {Contact: _count(data)},
    ),
    "fieldwork_imports": Factory(
        _fieldwork_imports,
        owned=lambda s: {ImportJob: ImportJob.objects.filter(uploaded_by=s)},
        exported=lambda data: {ImportJob: _count(data)},
    ),
    "fieldwork_volunteering": Factory(
        _fieldwork_volunteering,
        owned=lambda s: {
            Result: Result.objects.filter(volunteer=s),
            WalkList: WalkList.objects.filter(assigned_to=s),
            Target: Target.objects.filter(Q(leased_to=s) | Q(caller=s)),
        },
        exported=lambda data: {
            Result: _count(data["results"]),
            WalkList: _count(data["walk_lists"]),
            Target: _count(data["contacts_held"]),
        },
    ),
}


# Models that hold one row per supporter at most: the factories make one of each.
ONE_PER_SUPPORTER = {Supporter, Profile, CalendarFeed, ReferralCode, Suppression, social.SocialSettings}
ONE_PER_SUPPORTER |= {LastActive, Referral}  # dashboard


def fill_every_source(supporter: Supporter, people: People) -> None:
    for factory in FACTORIES.values():
        factory.make(supporter, people)


def every_owned_row(supporter: Supporter) -> dict[str, dict[type[Model], list[int]]]:
    """The primary keys of the supporter's rows, by source and model."""
    return {
        name: {
            model: sorted(rows.values_list("pk", flat=True))
            for model, rows in factory.owned(supporter).items()
        }
        for name, factory in FACTORIES.items()
    }
