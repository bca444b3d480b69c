"""The curated list of one-line bugs in Quartier's critical paths (see docs/mutants.md).

Each entry is a promise the product makes, the smallest edit that breaks it, and the tests that must
catch it. Every new capability adds its own critical bugs here; `make mutants` must stay at 100 %.
Keep `original` short but unique in its file: when code moves, the runner reports the entry stale.
"""

from __future__ import annotations

from mutants.runner import Bug

ORGANIZING = "quartier/organizing"
RSVP_TESTS = f"{ORGANIZING}/tests/test_rsvp.py"
EVENT_TESTS = f"{ORGANIZING}/tests/test_events.py"
GROUP_TESTS = f"{ORGANIZING}/tests/test_groups.py"
PROMISES_ADDRESSES = f"{ORGANIZING}/tests/test_promises_addresses_and_feeds.py"
PROMISES_RSVPS = f"{ORGANIZING}/tests/test_promises_rsvps.py"
PROMISES_HOSTS = f"{ORGANIZING}/tests/test_promises_hosts.py"
MATRIX = f"{ORGANIZING}/tests/test_privacy_matrix.py"
EXACT_POINT = f"{ORGANIZING}/tests/test_exact_point.py"
ORGANIZING_PERMISSIONS = f"{ORGANIZING}/tests/test_permissions.py"
ORGANIZING_PRIVACY = f"{ORGANIZING}/tests/test_privacy_organizing.py"
ERASURE = "quartier/tests/test_erasure_every_source.py"
EXPORT = "quartier/tests/test_export_every_row.py"
ACCOUNT_PRIVACY = "quartier/accounts/tests/test_privacy.py"
PROFILE_TESTS = "quartier/accounts/tests/test_profile.py"
STAFF_TESTS = "quartier/accounts/tests/test_staff.py"
CONSENT_TESTS = "quartier/outreach/tests/test_consent.py"
CONSENT_MIGRATION_TESTS = "quartier/accounts/tests/test_consent_migration.py"
SEND_TESTS = "quartier/outreach/tests/test_send.py"
UNSUBSCRIBE_TESTS = "quartier/outreach/tests/test_unsubscribe.py"
FIELDWORK = "quartier/fieldwork"
CALL_QUEUE = f"{FIELDWORK}/tests/test_call_queue.py"
WALK_LISTS = f"{FIELDWORK}/tests/test_walk_lists.py"
FIELDWORK_PERMISSIONS = f"{FIELDWORK}/tests/test_permissions.py"
FIELDWORK_IMPORT = f"{FIELDWORK}/tests/test_import.py"

BUGS: list[Bug] = [
    # --- capacity checks ---------------------------------------------------------------------
    Bug(
        id="capacity-ignores-guests",
        promise="A shift never takes more people (with their guests) than it has places.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="if locked.confirmed_count + places <= locked.capacity",
        replacement="if locked.confirmed_count < locked.capacity",
        tests=(RSVP_TESTS, PROMISES_RSVPS),
    ),
    Bug(
        id="capacity-off-by-one",
        promise="The last place goes to one person, not two.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="if locked.confirmed_count + places <= locked.capacity",
        replacement="if locked.confirmed_count + places <= locked.capacity + 1",
        tests=(RSVP_TESTS,),
    ),
    Bug(
        id="rsvp-without-shift-lock",
        promise="A rush for the last places never overfills a shift (the shift row is locked).",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original='locked = Shift.objects.select_for_update().select_related("event").get(pk=shift.pk)',
        replacement='locked = Shift.objects.select_related("event").get(pk=shift.pk)',
        tests=(
            f"{RSVP_TESTS}::test_a_hundred_people_rushing_for_the_last_ten_places_never_overfill_the_shift",
        ),
        postgresql=True,
    ),
    Bug(
        id="capacity-cut-below-rsvps",
        promise="A host cannot cut a shift's places below the people already confirmed.",
        file=f"{ORGANIZING}/actions/events.py",
        original="if shift_draft.capacity < shift.confirmed_count:",
        replacement="if shift_draft.capacity < 0:",
        tests=(EVENT_TESTS,),
    ),
    Bug(
        id="guests-over-the-hosts-limit",
        promise="Nobody brings more guests than the host allows.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="if guests < 0 or guests > event.max_guests_per_rsvp:",
        replacement="if guests < 0:",
        tests=(RSVP_TESTS, PROMISES_RSVPS),
    ),
    # --- waitlist promotion ------------------------------------------------------------------
    Bug(
        id="cancel-reads-the-rsvp-before-the-lock",
        promise="Cancelling one RSVP twice at once promotes one person, not two.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="locked = Rsvp.objects.select_for_update().get(pk=rsvp_record.pk)",
        replacement="locked = rsvp_record",
        tests=(PROMISES_RSVPS,),
    ),
    Bug(
        id="cancel-without-locks",
        promise="Concurrent cancellations promote from the waiting list once per freed place (row locks).",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="locked_shift = Shift.objects.select_for_update().get(pk=rsvp_record.shift_id)",
        replacement="locked_shift = Shift.objects.get(pk=rsvp_record.shift_id)",
        also=(
            (
                "locked = Rsvp.objects.select_for_update().get(pk=rsvp_record.pk)",
                "locked = Rsvp.objects.get(pk=rsvp_record.pk)",
            ),
        ),
        tests=(
            f"{PROMISES_RSVPS}::test_a_cancellation_of_an_rsvp_another_is_cancelling_waits_for_it_and_promotes_nobody_more",
            f"{PROMISES_RSVPS}::test_one_rsvp_cancelled_many_times_at_once_promotes_one_person_from_the_waiting_list",
        ),
        postgresql=True,
    ),
    Bug(
        id="waitlist-promoted-newest-first",
        promise="The waiting list is served oldest first.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="Rsvp.objects.select_for_update().filter(shift=shift, status=Rsvp.Status.WAITLISTED):",
        replacement='Rsvp.objects.select_for_update().filter(shift=shift, status=Rsvp.Status.WAITLISTED).order_by("-created_at"):',
        tests=(RSVP_TESTS, PROMISES_RSVPS),
    ),
    Bug(
        id="leaving-the-waitlist-frees-a-place",
        promise="A waitlisted person who leaves frees no place.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="was_confirmed = locked.status == Rsvp.Status.CONFIRMED and not locked.is_walk_in",
        replacement="was_confirmed = not locked.is_walk_in",
        tests=(RSVP_TESTS,),
    ),
    Bug(
        id="more-places-promote-nobody",
        promise="Raising a shift's places promotes the waiting list.",
        file=f"{ORGANIZING}/actions/events.py",
        original="            kept.add(shift.pk)\n            _promote_waitlist(shift)",
        replacement="            kept.add(shift.pk)",
        tests=(EVENT_TESTS,),
    ),
    # --- address and private-field privacy -------------------------------------------------------
    Bug(
        id="event-page-address-for-any-rsvp",
        promise="Only confirmed attendees and hosts see an attendee-only address on the event page.",
        file=f"{ORGANIZING}/views/events.py",
        original="attending = any(r.status == Rsvp.Status.CONFIRMED for r in my_rsvps.values())",
        replacement="attending = bool(my_rsvps)",
        tests=(PROMISES_ADDRESSES, MATRIX),
    ),
    Bug(
        id="event-ics-address-for-anyone-signed-in",
        promise="The event's .ics gives the attendee-only address to confirmed attendees and hosts only.",
        file=f"{ORGANIZING}/views/calendars.py",
        original="show_private = access.hosts(request.user, event) or events_queries.is_attending(request.user, event)",
        replacement="show_private = request.user.is_authenticated",
        tests=(PROMISES_ADDRESSES, MATRIX),
    ),
    Bug(
        id="map-pin-always-exact",
        promise="The map pin of an attendee-only event is approximate (about a kilometre).",
        file=f"{ORGANIZING}/views/events.py",
        original="(event.latitude, event.longitude) if exact else (event.public_latitude, event.public_longitude)",
        replacement="(event.latitude, event.longitude)",
        tests=(PROMISES_ADDRESSES, EXACT_POINT),
    ),
    Bug(
        id="search-measures-the-exact-point",
        promise="The radius filter, distances and order of a search use the public point only (12.1).",
        file=f"{ORGANIZING}/queries/search.py",
        original='pick(located, near, page * PAGE_SIZE + 1, "public_latitude", "public_longitude")',
        replacement='pick(located, near, page * PAGE_SIZE + 1, "latitude", "longitude")',
        tests=(EXACT_POINT,),
    ),
    Bug(
        id="search-distance-from-the-exact-point",
        promise="Searches measure attendee-only events from their public point, never the exact address (12.1).",
        file=f"{ORGANIZING}/models.py",
        original="return (latitude, longitude) if exact else approximate_point(latitude, longitude)",
        replacement="return (latitude, longitude)",
        tests=(f"{ORGANIZING}/tests/test_exact_point.py",),
    ),
    Bug(
        id="reminder-sent-for-a-cancelled-event",
        promise="A reminder claimed before the event was cancelled is not sent.",
        file=f"{ORGANIZING}/tasks.py",
        original="if rsvp.shift.event.status != Event.Status.PUBLISHED:",
        replacement="if False:",
        tests=(PROMISES_RSVPS,),
    ),
    Bug(
        id="feed-address-for-the-waiting-list",
        promise="A waitlisted person's calendar feed does not show the attendee-only address.",
        file=f"{ORGANIZING}/queries/events.py",
        original="show_private=record.status == Rsvp.Status.CONFIRMED",
        replacement="show_private=True",
        tests=(PROMISES_ADDRESSES, MATRIX),
    ),
    Bug(
        id="email-address-for-the-waiting-list",
        promise="The confirmation email of a waitlisted person does not give the address.",
        file=f"{ORGANIZING}/templates/organizing/email/_when.txt",
        original='{% else %}{% if rsvp.status == "confirmed" %}{{ event.venue }}',
        replacement="{% else %}{% if rsvp %}{{ event.venue }}",
        tests=(MATRIX,),
    ),
    Bug(
        id="join-link-for-everyone",
        promise="The link to join an online event is shown only to people who RSVPed.",
        file=f"{ORGANIZING}/views/events.py",
        original='"show_join_url": show_private,',
        replacement='"show_join_url": True,',
        tests=(EVENT_TESTS, MATRIX),
    ),
    Bug(
        id="csv-contact-of-people-who-share-none",
        promise="The attendee CSV leaves out the email and phone of people who chose not to share them.",
        file=f"{ORGANIZING}/views/hosting.py",
        original='r.supporter.email if r.shares_contact else ""',
        replacement="r.supporter.email",
        tests=(MATRIX,),
    ),
    Bug(
        id="profile-supporters-fields-to-unverified",
        promise="Fields shown to signed-in supporters stay hidden from unconfirmed accounts.",
        file="quartier/accounts/queries.py",
        original="return viewer is not None and viewer.is_authenticated and viewer.is_verified",
        replacement="return viewer is not None and viewer.is_authenticated",
        tests=(PROFILE_TESTS,),
    ),
    Bug(
        id="profile-private-fields-shown",
        promise="Fields a supporter keeps to themselves are shown to nobody else.",
        file="quartier/accounts/queries.py",
        original="        return viewer is not None and viewer.is_authenticated and viewer.is_verified\n    return False",
        replacement="        return viewer is not None and viewer.is_authenticated and viewer.is_verified\n    return True",
        tests=(PROFILE_TESTS,),
    ),
    Bug(
        id="profile-of-a-deleted-account",
        promise="A deleted account has no profile page.",
        file="quartier/accounts/access.py",
        original="if supporter is None or supporter.deleted_at is not None:",
        replacement="if supporter is None:",
        tests=(PROFILE_TESTS, ACCOUNT_PRIVACY, ERASURE),
    ),
    # --- staff two-factor ----------------------------------------------------------------------
    Bug(
        id="staff-without-two-factor",
        promise="Staff must turn on two-factor authentication before anything else.",
        file="quartier/accounts/middleware.py",
        original="and not _has_totp(user)",
        replacement="and False",
        tests=(STAFF_TESTS,),
    ),
    Bug(
        id="staff-two-factor-exempts-every-page",
        promise="Only account pages and emailed links are reachable by staff without two-factor.",
        file="quartier/accounts/middleware.py",
        original='ALLOWED_PREFIXES = ("/accounts/",',
        replacement='ALLOWED_PREFIXES = ("/",',
        tests=(STAFF_TESTS,),
    ),
    # --- unsubscribe, consent filtering, sending once --------------------------------------------
    Bug(
        id="unsubscribe-on-get",
        promise="Opening an unsubscribe link (as mail scanners do) changes nothing; POST unsubscribes.",
        file="quartier/outreach/views.py",
        original='if request.method != "POST":',
        replacement='if request.method == "HEAD":',
        tests=(UNSUBSCRIBE_TESTS,),
    ),
    Bug(
        id="unsubscribe-records-a-yes",
        promise="Unsubscribing records a refusal.",
        file="quartier/outreach/actions/consent.py",
        original="        granted=False,",
        replacement="        granted=True,",
        tests=(UNSUBSCRIBE_TESTS,),
    ),
    Bug(
        id="unsubscribe-link-signature-unchecked",
        promise="An unsubscribe link not signed by the site is refused.",
        file="quartier/outreach/access.py",
        original="supporter_id, audience, *rest = signing.loads(token, salt=UNSUBSCRIBE_SALT)",
        replacement=(
            "supporter_id, audience, *rest = signing.loads(signing.Signer(salt=UNSUBSCRIBE_SALT)"
            '.sign(token.rsplit(":", 1)[0]), salt=UNSUBSCRIBE_SALT)'
        ),
        tests=(UNSUBSCRIBE_TESTS,),
    ),
    Bug(
        id="consent-any-record-counts",
        promise="Only people whose decision in force is yes are emailed.",
        file="quartier/outreach/queries.py",
        original="audience=audience, granted=True)))",
        replacement="audience=audience)))",
        tests=(CONSENT_TESTS, SEND_TESTS),
    ),
    Bug(
        id="consent-later-choice-not-in-force",
        promise="The latest choice wins (an unsubscription overrides the yes before it).",
        file="quartier/accounts/actions.py",
        original="    current.granted, current.record = granted, record\n",
        replacement="    current.record = record\n",
        tests=(CONSENT_TESTS, UNSUBSCRIBE_TESTS),
    ),
    Bug(
        id="consent-first-decision-race-raises",
        promise="Two first decisions at once both land; the later one is in force (no error, no second row).",
        file="quartier/accounts/actions.py",
        original="        except IntegrityError:\n            # Someone else's first decision",
        replacement="        except ValueError:\n            # Someone else's first decision",
        tests=("quartier/accounts/tests/test_consent.py",),
    ),
    Bug(
        id="consent-migration-earliest-choice-wins",
        promise="Carrying consent over keeps each person's latest decision (a later no overrides a yes).",
        file="quartier/outreach/migrations/0005_copy_audience_consents.py",
        original="if key not in latest or order > latest[key][0]:",
        replacement="if key not in latest or order < latest[key][0]:",
        tests=(CONSENT_MIGRATION_TESTS,),
    ),
    Bug(
        id="consent-migration-campaign-news-earliest-choice-wins",
        promise="Carrying campaign-news consent over keeps each person's latest decision.",
        file="quartier/accounts/migrations/0007_copy_email_consents.py",
        original="if key not in latest or order > latest[key][0]:",
        replacement="if key not in latest:",
        tests=(CONSENT_MIGRATION_TESTS,),
    ),
    Bug(
        id="consent-unverified-addresses",
        promise="Nobody is emailed before confirming their address.",
        file="quartier/outreach/queries.py",
        original="recipients.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)",
        replacement="recipients.filter(is_active=True, deleted_at__isnull=True)",
        tests=(CONSENT_TESTS, SEND_TESTS),
    ),
    Bug(
        id="consent-not-checked-again-at-send-time",
        promise="Someone who unsubscribes before the batch runs is skipped.",
        file="quartier/outreach/actions/delivery.py",
        original="if (delivery.supporter_id in consenting)",
        replacement="if (delivery.supporter_id is not None)",
        tests=(SEND_TESTS,),
    ),
    Bug(
        id="deliveries-claimed-whatever-their-status",
        promise="Running the send task twice sends each email once.",
        file="quartier/outreach/actions/delivery.py",
        original="                pk__lte=last_id,\n                status=Delivery.Status.QUEUED,",
        replacement="                pk__lte=last_id,",
        tests=(SEND_TESTS,),
    ),
    Bug(
        id="rsvp-twice-takes-two-places",
        promise="RSVPing twice takes one place.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="if existing is not None and existing.status != Rsvp.Status.CANCELLED:",
        replacement="if existing is not None and existing.status == Rsvp.Status.WAITLISTED:",
        tests=(RSVP_TESTS,),
    ),
    Bug(
        id="host-message-to-every-rsvp",
        promise="A host's message reaches confirmed attendees only.",
        file=f"{ORGANIZING}/queries/events.py",
        original="rsvps__shift__event=event, rsvps__status=Rsvp.Status.CONFIRMED",
        replacement="rsvps__shift__event=event",
        tests=(PROMISES_HOSTS,),
    ),
    # --- reminders -----------------------------------------------------------------------------
    Bug(
        id="reminder-24h-after-the-2h-one",
        promise="No 24-hour reminder goes out once the 2-hour one has.",
        file=f"{ORGANIZING}/actions/events.py",
        original=".exclude(sent_reminders__hours_before__lte=hours)",
        replacement=".exclude(sent_reminders__hours_before=hours)",
        tests=(PROMISES_RSVPS, EVENT_TESTS),
    ),
    Bug(
        id="reminder-claimed-without-a-unique-insert",
        promise="Two reminder runs at once send each reminder once (the claim is a unique insert).",
        file=f"{ORGANIZING}/actions/events.py",
        original="SentReminder.objects.create(rsvp_id=rsvp_id, hours_before=hours)",
        replacement="SentReminder.objects.get_or_create(rsvp_id=rsvp_id, hours_before=hours)",
        tests=(PROMISES_RSVPS,),
        postgresql=True,
    ),
    Bug(
        id="reminder-for-a-cancelled-event",
        promise="Reminders go to attendees of published events only, never of cancelled ones.",
        file=f"{ORGANIZING}/actions/events.py",
        original="                shift__event__status=Event.Status.PUBLISHED,\n",
        replacement="",
        tests=(PROMISES_RSVPS,),
    ),
    # --- erasure and export --------------------------------------------------------------------
    Bug(
        id="erasure-keeps-the-calendar-feed",
        promise="Deleting an account removes its personal calendar feed.",
        file=f"{ORGANIZING}/privacy.py",
        original="erase=lambda s: CalendarFeed.objects.filter(supporter=s).delete(),",
        replacement="erase=lambda s: None,",
        tests=(PROMISES_ADDRESSES, ERASURE),
    ),
    Bug(
        id="erasure-keeps-rows-owned-by-the-supporter",
        promise="Deleting an account empties every table whose rows belong to the supporter.",
        file="quartier/accounts/privacy.py",
        original="erase=lambda supporter: model.objects.filter(**{field: supporter}).delete(),",
        replacement="erase=lambda supporter: None,",
        tests=(ERASURE, ACCOUNT_PRIVACY),
    ),
    Bug(
        id="erasure-keeps-pending-rsvps",
        promise="Deleting an account erases the RSVPs asked for its address and not yet confirmed.",
        file=f"{ORGANIZING}/privacy.py",
        original="erase=lambda s: _pending_rsvps_of(s).delete(),",
        replacement="erase=lambda s: None,",
        tests=(ERASURE,),
    ),
    Bug(
        id="erasure-keeps-messages-received",
        promise="Deleting an account erases the messages one received.",
        file="quartier/outreach/privacy.py",
        original="erase=lambda supporter: Delivery.objects.filter(supporter=supporter).delete(),",
        replacement="erase=lambda supporter: None,",
        tests=(ERASURE,),
    ),
    Bug(
        id="erasure-keeps-the-postal-code",
        promise="A deleted account keeps no postal code.",
        file="quartier/accounts/actions.py",
        original='    locked.postal_code = ""\n',
        replacement="",
        tests=(ACCOUNT_PRIVACY, ERASURE),
    ),
    Bug(
        id="erasure-keeps-places-taken",
        promise="Deleting an account frees its places for the waiting list.",
        file=f"{ORGANIZING}/privacy.py",
        original="        if not record.shift.event.is_past:",
        replacement="        if record.shift.event.is_past:",
        tests=(ORGANIZING_PRIVACY,),
    ),
    Bug(
        id="export-only-confirmed-rsvps",
        promise="The data export lists RSVPs of every status.",
        file=f"{ORGANIZING}/privacy.py",
        original="Rsvp.objects.filter(supporter=s).values(",
        replacement="Rsvp.objects.filter(supporter=s, status=Rsvp.Status.CONFIRMED).values(",
        tests=(PROMISES_HOSTS, EXPORT),
    ),
    Bug(
        id="export-first-row-only",
        promise="The data export holds every row of every table owned by the supporter.",
        file="quartier/accounts/privacy.py",
        original='export=lambda supporter: rows(model.objects.filter(**{field: supporter}).order_by("pk")),',
        replacement='export=lambda supporter: rows(model.objects.filter(**{field: supporter}).order_by("pk")[:1]),',
        tests=(EXPORT,),
    ),
    Bug(
        id="export-leaves-out-a-source",
        promise="The data export covers every registered source.",
        file="quartier/accounts/privacy.py",
        original="return {source.name: source.export(supporter) for source in _SOURCES.values()}",
        replacement="return {source.name: source.export(supporter) for source in list(_SOURCES.values())[:-1]}",
        tests=(ACCOUNT_PRIVACY, EXPORT),
    ),
    Bug(
        id="export-hands-out-the-password-hash",
        promise="The export never contains the password hash.",
        file="quartier/accounts/privacy.py",
        original='exclude=("password", "groups", "user_permissions")',
        replacement='exclude=("groups", "user_permissions")',
        tests=(ACCOUNT_PRIVACY, EXPORT),
    ),
    # --- signed links --------------------------------------------------------------------------
    Bug(
        id="cancel-link-signature-unchecked",
        promise="A guest cancel link not signed by the site is refused and changes nothing.",
        file=f"{ORGANIZING}/queries/events.py",
        original="data = signing.loads(token, salt=CANCEL_SALT)",
        replacement=(
            'data = signing.loads(signing.Signer(salt=CANCEL_SALT).sign(token.rsplit(":", 1)[0]), salt=CANCEL_SALT)'
        ),
        tests=(PROMISES_RSVPS,),
    ),
    Bug(
        id="rsvp-page-for-any-browser",
        promise="The page after a guest's RSVP is for the browser that made it.",
        file=f"{ORGANIZING}/views/rsvps.py",
        original="elif request.user.is_authenticated and Rsvp.objects.filter(pk=rsvp_id, supporter=request.user).exists():",
        replacement="elif True:",
        tests=(RSVP_TESTS,),
    ),
    # --- CSV escaping ----------------------------------------------------------------------------
    Bug(
        id="csv-at-sign-not-escaped",
        promise="A CSV cell starting with @ cannot run as a formula.",
        file=f"{ORGANIZING}/views/common.py",
        original='{"=", "+", "-", "@", "\\t", "\\r"}',
        replacement='{"=", "+", "-", "\\t", "\\r"}',
        tests=(PROMISES_HOSTS,),
    ),
    Bug(
        id="csv-cells-not-escaped",
        promise="No CSV cell written by a person can run as a formula.",
        file=f"{ORGANIZING}/views/common.py",
        original="writer.writerow([safe_cell(cell) for cell in row])",
        replacement="writer.writerow(row)",
        tests=(GROUP_TESTS, PROMISES_HOSTS),
    ),
    # --- approval joins --------------------------------------------------------------------------
    Bug(
        id="approval-group-lets-everyone-in",
        promise="Joining a group that needs approval waits for a leader.",
        file=f"{ORGANIZING}/actions/groups.py",
        original="if locked.join_policy == Group.JoinPolicy.APPROVAL",
        replacement="if locked.join_policy == Group.JoinPolicy.OPEN",
        tests=(GROUP_TESTS,),
    ),
    Bug(
        id="joining-twice-counts-twice",
        promise="Joining a group twice counts once.",
        file=f"{ORGANIZING}/actions/groups.py",
        original="    if created:\n        if status == Membership.Status.ACTIVE:",
        replacement="    if True:\n        if status == Membership.Status.ACTIVE:",
        tests=(GROUP_TESTS,),
    ),
    Bug(
        id="leader-message-to-pending-members",
        promise="A leader's message reaches active members only, not people still waiting for approval.",
        file=f"{ORGANIZING}/queries/groups.py",
        original="group_memberships__group=group, group_memberships__status=Membership.Status.ACTIVE",
        replacement="group_memberships__group=group",
        tests=(PROMISES_HOSTS,),
    ),
    # --- staff review --------------------------------------------------------------------------
    Bug(
        id="review-skipped-for-types-that-need-it",
        promise="Events of a type that needs approval wait in the staff queue.",
        file=f"{ORGANIZING}/actions/events.py",
        original="return EventTypePolicy.objects.filter(event_type=event_type, requires_approval=True).exists()",
        replacement="return False",
        tests=(EVENT_TESTS,),
    ),
    Bug(
        id="pending-event-visible-to-all",
        promise="An event waiting for review is seen by its host and staff only.",
        file=f"{ORGANIZING}/access.py",
        original="return is_staff(viewer) or (viewer.is_authenticated and viewer.pk == event.host_id)",
        replacement="return viewer.is_authenticated",
        tests=(ORGANIZING_PERMISSIONS, EVENT_TESTS, PROMISES_HOSTS),
    ),
    Bug(
        id="review-by-anyone-signed-in",
        promise="Only staff approve or reject events.",
        file=f"{ORGANIZING}/access.py",
        original="    if not is_staff(viewer):\n        raise Http404\n    return get_visible_event(viewer, event_id)",
        replacement="    return get_visible_event(viewer, event_id)",
        tests=(ORGANIZING_PERMISSIONS,),
    ),
    Bug(
        id="review-twice",
        promise="An event already reviewed cannot be reviewed again.",
        file=f"{ORGANIZING}/actions/events.py",
        original="if locked.status != Event.Status.PENDING:",
        replacement="if locked.status == Event.Status.CANCELLED:",
        tests=(PROMISES_HOSTS,),
    ),
    # --- feed tokens ---------------------------------------------------------------------------
    Bug(
        id="new-calendar-address-keeps-the-old",
        promise='"New calendar address" stops the old one working.',
        file=f"{ORGANIZING}/views/calendars.py",
        original='defaults={"token": new_calendar_token()}',
        replacement="defaults={}",
        tests=(PROMISES_ADDRESSES,),
    ),
    Bug(
        id="feed-of-a-deactivated-account",
        promise="The calendar feed of a deactivated account answers nothing.",
        file=f"{ORGANIZING}/views/calendars.py",
        original="if feed is None or not feed.supporter.is_active:",
        replacement="if feed is None:",
        tests=(PROMISES_ADDRESSES,),
    ),
    Bug(
        id="feed-lists-other-peoples-rsvps",
        promise="A personal feed lists one's own RSVPs only.",
        file=f"{ORGANIZING}/queries/events.py",
        original="Rsvp.objects.filter(supporter=supporter, shift__ends_at__gt=since)",
        replacement="Rsvp.objects.filter(shift__ends_at__gt=since)",
        tests=(MATRIX,),
    ),
    Bug(
        id="feed-token-guessable",
        promise="Each calendar address is a long random secret.",
        file=f"{ORGANIZING}/models.py",
        original="return secrets.token_urlsafe(24)",
        replacement="return str(secrets.randbelow(1000))",
        tests=(PROMISES_ADDRESSES,),
    ),
    # --- outreach at campaign scale (issue 10) --------------------------------------------------
    Bug(
        id="personal-once-per-source-unchecked",
        promise="An address gets at most one email from a given page, ever.",
        file="quartier/outreach/actions/personal_email.py",
        original="        elif address in already:",
        replacement="        elif False:",
        tests=("quartier/outreach/tests/test_personal.py",),
    ),
    Bug(
        id="personal-daily-cap-ignored",
        promise="A supporter emails at most OUTREACH_PERSONAL_DAILY_LIMIT people a day.",
        file="quartier/outreach/actions/personal_email.py",
        original="        elif len(wanted) < room:",
        replacement="        elif True:",
        tests=("quartier/outreach/tests/test_personal.py",),
    ),
    Bug(
        id="personal-cap-without-lock",
        promise="Two sends at once by one supporter cannot pass the daily cap together.",
        file="quartier/outreach/actions/personal_email.py",
        original='    Supporter.objects.select_for_update().only("pk").get(pk=sender.pk)\n    message = Message',
        replacement="    message = Message",
        tests=("quartier/outreach/tests/test_personal.py",),
        postgresql=True,
    ),
    Bug(
        id="suppression-ignored-for-supporters",
        promise="A suppressed address gets no message to any audience.",
        file="quartier/outreach/queries.py",
        original='.exclude(Exists(Suppression.objects.filter(address=OuterRef("email"))))',
        replacement="",
        tests=("quartier/outreach/tests/test_personal.py",),
    ),
    Bug(
        id="suppression-not-checked-again-at-send-time",
        promise="An address suppressed while a send waits gets nothing.",
        file="quartier/outreach/actions/delivery.py",
        original="or (not delivery.supporter_id and delivery.address not in suppressed)",
        replacement="or (not delivery.supporter_id)",
        tests=("quartier/outreach/tests/test_personal.py",),
    ),
    Bug(
        id="address-unsubscribe-signature-unchecked",
        promise="An address unsubscribe link not signed by the site is refused.",
        file="quartier/outreach/access.py",
        original="address = signing.loads(token, salt=ADDRESS_UNSUBSCRIBE_SALT)",
        replacement=(
            "address = signing.loads(signing.Signer(salt=ADDRESS_UNSUBSCRIBE_SALT)"
            '.sign(token.rsplit(":", 1)[0]), salt=ADDRESS_UNSUBSCRIBE_SALT)'
        ),
        tests=("quartier/outreach/tests/test_personal.py",),
    ),
    Bug(
        id="outreach-cancel-not-seen-by-a-running-batch",
        promise="Cancelling stops a batch already running, not only the batches after it.",
        file="quartier/outreach/actions/delivery.py",
        original="if index and index % CANCEL_CHECK_EVERY == 0 and _cancelled(message_id):",
        replacement="if False:",
        tests=("quartier/outreach/tests/test_send_lifecycle.py",),
    ),
    Bug(
        id="outreach-sweep-steals-live-claims",
        promise="The sweep requeues only deliveries whose worker went silent for the whole lease.",
        file="quartier/outreach/actions/campaign_send.py",
        original="claimed_at__lt=stale",
        replacement="claimed_at__lte=now",
        tests=("quartier/outreach/tests/test_send_lifecycle.py",),
    ),
    Bug(
        id="outreach-send-started-twice",
        promise="A scheduled message is snapshotted and sent once, whoever starts it how often.",
        file="quartier/outreach/actions/campaign_send.py",
        original="pk=message_id, status=Message.Status.SCHEDULED, scheduled_at__lte=timezone.now()",
        replacement="pk=message_id, scheduled_at__lte=timezone.now()",
        tests=("quartier/outreach/tests/test_send_lifecycle.py",),
    ),
    Bug(
        id="sms-stop-not-checked-at-send-time",
        promise="A number that texted STOP gets nothing from a campaign already running.",
        file="quartier/outreach/actions/delivery.py",
        original="if subscription is None or subscription.opted_out_at is not None:",
        replacement="if subscription is None:",
        tests=("quartier/outreach/tests/test_sms.py",),
    ),
    Bug(
        id="sms-stop-confirmed-every-time",
        promise="STOP is confirmed by one text, however often it is sent.",
        file="quartier/outreach/actions/sms.py",
        original="if subscription.opt_out_confirmed_at is None:",
        replacement="if True:",
        tests=("quartier/outreach/tests/test_sms.py",),
    ),
    Bug(
        id="sms-quiet-hours-ignored",
        promise="No campaign text goes out during quiet hours where the recipient lives.",
        file="quartier/outreach/actions/delivery.py",
        original="if in_quiet_hours(subscription.time_zone):",
        replacement="if False:",
        tests=("quartier/outreach/tests/test_sms.py",),
    ),
    Bug(
        id="sms-webhook-signature-unchecked",
        promise="An inbound text whose signature is not the gateway's changes nothing.",
        file="quartier/outreach/sms.py",
        original="if not settings.SMS_SANDBOX_SECRET or not hmac.compare_digest(given, self.signature(request.body)):",
        replacement="if not settings.SMS_SANDBOX_SECRET:",
        tests=("quartier/outreach/tests/test_sms.py",),
    ),
    Bug(
        id="sms-twilio-signature-ignores-fields",
        promise="A Twilio webhook whose fields were changed after Twilio signed them changes nothing.",
        file="quartier/outreach/sms.py",
        original='signed = url + "".join(name + value for name in sorted(fields) for value in sorted(set(fields[name])))',
        replacement="signed = url",
        tests=("quartier/outreach/tests/test_sms.py",),
    ),
    Bug(
        id="merge-values-not-escaped",
        promise="A reader's name is text in the HTML part, never markup.",
        file="quartier/outreach/merge.py",
        original="return escape(value) if html else value",
        replacement="return value",
        tests=("quartier/outreach/tests/test_merge.py", "quartier/outreach/tests/test_compose.py"),
    ),
]

# --- donations (issue 7) -------------------------------------------------------------------------
DONATIONS = "quartier/donations"
DONATION_COMPLIANCE = f"{DONATIONS}/tests/test_compliance.py"
DONATION_STRIPE = f"{DONATIONS}/tests/test_stripe.py"
DONATION_FLOW = f"{DONATIONS}/tests/test_flow.py"
DONATION_PERMISSIONS = f"{DONATIONS}/tests/test_permissions.py"
DONATION_RACES = f"{DONATIONS}/tests/test_races.py"

BUGS += [
    Bug(
        id="donation-limit-off-by-one-cent",
        promise="A donor can give exactly the legal limit and not one cent more.",
        file=f"{DONATIONS}/actions/limits.py",
        original=".filter(committed__lte=limit_minor - amount_minor)",
        replacement=".filter(committed__lte=limit_minor - amount_minor + 1)",
        tests=(DONATION_COMPLIANCE,),
    ),
    Bug(
        id="donation-limit-ignores-what-was-given",
        promise="A donor's earlier gifts count towards the limit.",
        file=f"{DONATIONS}/actions/limits.py",
        original='.alias(committed=F("total_minor") + F("reserved_minor"))',
        replacement='.alias(committed=F("reserved_minor"))',
        tests=(DONATION_COMPLIANCE, DONATION_RACES),
    ),
    Bug(
        id="webhook-signature-not-checked",
        promise="A webhook not signed with one of our Stripe secrets is refused and records nothing.",
        file=f"{DONATIONS}/stripe_events.py",
        original="            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)\n",
        replacement="",
        tests=(DONATION_STRIPE,),
    ),
    Bug(
        id="webhook-stale-timestamp-accepted",
        promise="A webhook older than five minutes is refused (a replayed capture cannot be applied).",
        file=f"{DONATIONS}/stripe_events.py",
        original="secrets: list[str], tolerance: int = 300)",
        replacement="secrets: list[str], tolerance: int = 3000)",
        tests=(DONATION_STRIPE,),
    ),
    Bug(
        id="webhook-event-id-not-recorded",
        promise="Each Stripe event is applied once: its id is recorded in the same transaction.",
        file=f"{DONATIONS}/stripe_events.py",
        original='        if not gifts_actions.record_event_once(\n            gateway=Gateway.STRIPE, event_id=event_id, event_type=event_type\n        ):\n            return "duplicate"\n',
        replacement="",
        tests=(DONATION_STRIPE,),
    ),
    Bug(
        id="refund-applied-twice",
        promise="A refund reported twice (or before the gift) comes off the totals once.",
        file=f"{DONATIONS}/actions/gifts.py",
        original="    delta = new_total - donation.refunded_minor\n",
        replacement="    delta = new_total\n",
        tests=(DONATION_STRIPE, DONATION_FLOW),
    ),
    Bug(
        id="honour-roll-names-anonymous-donors",
        promise="A donor who chose to stay anonymous is shown as Anonymous on the honour roll.",
        file=f"{DONATIONS}/queries.py",
        original='if row["show_name"] else ""',
        replacement='if True else ""',
        tests=(DONATION_FLOW,),
    ),
    Bug(
        id="hidden-fundraising-page-shown",
        promise="A page hidden by the campaign is seen by its owner and staff only.",
        file=f"{DONATIONS}/access.py",
        original="if page.status != FundraisingPage.Status.ACTIVE and not (is_staff(viewer) or owns(viewer, page)):",
        replacement="if False:",
        tests=(DONATION_PERMISSIONS,),
    ),
]

# --- social: who sees what, blocks, limits, counts, notification emails (issue 8) -------------------
SOCIAL = "quartier/social"
SOCIAL_VISIBILITY = f"{SOCIAL}/tests/test_visibility.py"
SOCIAL_MESSAGES = f"{SOCIAL}/tests/test_messages.py"
SOCIAL_MODERATION = f"{SOCIAL}/tests/test_moderation.py"
SOCIAL_NOTIFICATIONS = f"{SOCIAL}/tests/test_notifications.py"
SOCIAL_BAD_INPUT = f"{SOCIAL}/tests/test_bad_input.py"
BUGS += [
    Bug(
        id="social-blocked-reads-supporters-posts",
        promise="Someone blocked by an author never reads the author's posts for signed-in supporters.",
        file=f"{SOCIAL}/queries/visibility.py",
        original='| (Q(**{f"{prefix}visibility": Post.Visibility.SUPPORTERS}) & not_blocked)',
        replacement='| Q(**{f"{prefix}visibility": Post.Visibility.SUPPORTERS})',
        tests=(SOCIAL_VISIBILITY,),
    ),
    Bug(
        id="social-group-post-for-everyone",
        promise="A post for a group's members is read by its members only (blog, search, RSS).",
        file=f"{SOCIAL}/queries/visibility.py",
        original='& Q(**{f"{prefix}group_id__in": organizing_groups.active_group_ids(viewer)})',
        replacement="& Q()",
        tests=(SOCIAL_VISIBILITY,),
    ),
    Bug(
        id="social-hidden-post-still-listed",
        promise="A post a moderator hid is gone from every list at once.",
        file=f"{SOCIAL}/queries/visibility.py",
        original="posts = Post.objects.filter(status=Post.Status.PUBLISHED, hidden_at__isnull=True, author__is_active=True)",
        replacement="posts = Post.objects.filter(status=Post.Status.PUBLISHED, author__is_active=True)",
        tests=(SOCIAL_MODERATION,),
    ),
    Bug(
        id="social-draft-readable",
        promise="A draft is read by its author only.",
        file=f"{SOCIAL}/queries/visibility.py",
        original="        return is_author\n",
        replacement="        return True\n",
        tests=(SOCIAL_VISIBILITY,),
    ),
    Bug(
        id="social-message-to-a-blocker",
        promise="Nobody writes to someone who blocked them, even in a conversation started before the block.",
        file=f"{SOCIAL}/actions/conversations.py",
        original='and Block.objects.filter(blocker_id__in=others.values("supporter_id"), blocked=sender).exists()',
        replacement="and False",
        tests=(SOCIAL_MESSAGES,),
    ),
    Bug(
        id="social-first-contact-unlimited",
        promise="A new account writes first to three people a day who do not follow it.",
        file=f"{SOCIAL}/actions/conversations.py",
        original="if started >= limit:",
        replacement="if started >= limit * 100:",
        tests=(SOCIAL_MESSAGES,),
    ),
    Bug(
        id="social-reaction-counted-twice",
        promise="Reacting again, or twice at once, never counts twice.",
        file=f"{SOCIAL}/actions/posts.py",
        original="    if created:\n        Post.objects.filter(pk=locked.pk).update(reaction_count=",
        replacement="    if True:\n        Post.objects.filter(pk=locked.pk).update(reaction_count=",
        tests=(SOCIAL_BAD_INPUT,),
    ),
    Bug(
        id="social-notification-emailed-twice",
        promise="Each notification is emailed once, however often the sender runs.",
        file=f"{SOCIAL}/actions/notifications.py",
        original="email_pending=False, emailed_at=now",
        replacement="emailed_at=now",
        tests=(SOCIAL_NOTIFICATIONS,),
    ),
]

# --- dashboards (issue 11) ---------------------------------------------------------------------------
DASHBOARD = "quartier/dashboard"
ROLLUP_TESTS = f"{DASHBOARD}/tests/test_rollups.py"
DASHBOARD_VIEWS = f"{DASHBOARD}/tests/test_views.py"
JOURNAL_TESTS = f"{DASHBOARD}/tests/test_journal.py"

BUGS += [
    Bug(
        id="rollup-forgets-gaps",
        promise="A journal row that commits after a later one is still counted.",
        file=f"{DASHBOARD}/actions.py",
        original="if missing not in seen_ids:",
        replacement="if False:",
        tests=(ROLLUP_TESTS,),
    ),
    Bug(
        id="rollup-without-the-cursor-lock",
        promise="Workers rolling up at once never count a journal row twice.",
        file=f"{DASHBOARD}/actions.py",
        original="return Cursor.objects.select_for_update().get(name=JOURNAL)",
        replacement="return Cursor.objects.get(name=JOURNAL)",
        tests=(ROLLUP_TESTS,),
        postgresql=True,
    ),
    Bug(
        id="erasure-leaves-the-area-in-the-figures",
        promise="After an account is deleted, its actions count in no area, as a recount would.",
        file=f"{DASHBOARD}/actions.py",
        original="deltas.add(entry, sign=-1)",
        replacement="pass",
        tests=(ROLLUP_TESTS,),
    ),
    Bug(
        id="index-counts-old-actions",
        promise="The activity index counts the decay window only.",
        file=f"{DASHBOARD}/queries.py",
        original="totals_of(rows, since), window_days=window_days",
        replacement="totals_of(rows), window_days=window_days",
        tests=(DASHBOARD_VIEWS,),
    ),
    Bug(
        id="cancelled-rsvp-keeps-its-points",
        promise="A cancelled RSVP takes its point back.",
        file=f"{DASHBOARD}/queries.py",
        original='"organizing.rsvp_cancelled": "organizing.rsvp",',
        replacement='"organizing.rsvp_cancelled": "organizing.rsvp_cancelled",',
        tests=(DASHBOARD_VIEWS,),
    ),
    Bug(
        id="group-dashboard-for-anyone",
        promise="A group's dashboard is for its leaders and staff only.",
        file=f"{DASHBOARD}/access.py",
        original="from quartier.organizing.access import get_group_for_leader",
        replacement="from quartier.organizing.access import get_visible_group as get_group_for_leader",
        tests=(DASHBOARD_VIEWS,),
    ),
    Bug(
        id="organiser-dashboard-for-supporters",
        promise="The campaign's figures are for staff only.",
        file=f"{DASHBOARD}/access.py",
        original="if not (viewer.is_authenticated and viewer.is_staff):",
        replacement="if not viewer.is_authenticated:",
        tests=(DASHBOARD_VIEWS,),
    ),
    Bug(
        id="rsvp-journaled-per-click",
        promise="A double-clicked RSVP counts once in the journal.",
        file=f"{ORGANIZING}/actions/rsvps.py",
        original="if existing is not None and existing.status != Rsvp.Status.CANCELLED:\n        return existing",
        replacement="if False:\n        return existing",
        tests=(JOURNAL_TESTS,),
    ),
    # --- fieldwork: the call queue, offline sync, access, imports ------------------------------
    Bug(
        id="call-lease-ignored",
        promise="A contact leased to one volunteer is never handed to another while the lease runs.",
        file=f"{FIELDWORK}/actions/calls.py",
        original="Q(leased_to__isnull=True) | Q(lease_expires_at__lte=now),",
        replacement="Q(leased_to__isnull=True) | Q(lease_expires_at__lte=now) | Q(pk__gt=0),",
        tests=(CALL_QUEUE,),
    ),
    Bug(
        id="call-claim-without-skip-locked",
        promise="Volunteers clicking 'next contact' at the same moment never get the same person.",
        file=f"{FIELDWORK}/actions/calls.py",
        original='        .select_for_update(skip_locked=True, of=("self",))\n        .order_by("available_after", "pk")\n        .values("pk")[:1]',
        replacement='        .order_by("available_after", "pk")\n        .values("pk")[:1]',
        tests=(f"{CALL_QUEUE}::test_volunteers_claiming_at_once_never_share_a_contact",),
        postgresql=True,
    ),
    Bug(
        id="call-second-caller",
        promise="The same person is never called twice in a campaign by different volunteers.",
        file=f"{FIELDWORK}/actions/calls.py",
        original="Q(caller__isnull=True) | Q(caller=volunteer),",
        replacement="Q(pk__gt=0),",
        tests=(CALL_QUEUE,),
    ),
    Bug(
        id="call-do-not-call-ignored",
        promise="Do-not-call is honoured at once, in every campaign.",
        file=f"{FIELDWORK}/actions/calls.py",
        original="        contact__do_not_call=False,\n    )",
        replacement="    )",
        tests=(CALL_QUEUE,),
    ),
    Bug(
        id="call-quiet-hours-ignored",
        promise="Nobody is called outside calling hours in their own time zone.",
        file=f"{FIELDWORK}/actions/calls.py",
        original="time_zone__in=calling_zones(campaign, now),",
        replacement="time_zone__isnull=False,",
        tests=(CALL_QUEUE,),
    ),
    Bug(
        id="sync-out-of-order-overwrites",
        promise="An older offline result synced late never overwrites a newer one.",
        file=f"{FIELDWORK}/actions/results.py",
        original="newest = target.last_recorded_at is None or result.recorded_at >= target.last_recorded_at",
        replacement="newest = True",
        tests=(WALK_LISTS,),
    ),
    Bug(
        id="sync-conflict-dropped",
        promise="A result sent after its list changed hands is shown to staff as a conflict.",
        file=f"{FIELDWORK}/views/canvass.py",
        original='conflict = "" if holder else _("recorded by a volunteer who no longer holds this list")',
        replacement='conflict = ""',
        tests=(WALK_LISTS,),
    ),
    Bug(
        id="walk-list-open-to-anyone",
        promise="A volunteer sees only the walk lists they hold.",
        file=f"{FIELDWORK}/access.py",
        original="if walk_list.assigned_to_id == viewer.pk:",
        replacement="if walk_list.assigned_to_id is not None:",
        tests=(FIELDWORK_PERMISSIONS,),
    ),
    Bug(
        id="import-clears-do-not-call",
        promise="An import never clears a do-not-call flag.",
        file=f"{FIELDWORK}/importing.py",
        original='contact.do_not_call = contact.do_not_call or bool(values["do_not_call"])',
        replacement='contact.do_not_call = bool(values["do_not_call"])',
        tests=(FIELDWORK_IMPORT,),
    ),
    Bug(
        id="regions-lose-their-country",
        promise="A postal prefix counts in its own country's figures only (a Dallas ZIP is not Paris).",
        file="quartier/dashboard/metrics.py",
        original='keys.extend(f"{country}:{prefix[:length]}" for length in REGION_LEVELS',
        replacement='keys.extend(f"FR:{prefix[:length]}" for length in REGION_LEVELS',
        tests=("quartier/dashboard/tests/test_views.py",),
    ),
    Bug(
        id="area-filter-reads-the-whole-country",
        promise="A province, state or region filter counts the people of that area only.",
        file="quartier/dashboard/queries.py",
        original='area |= Q(region__startswith=f"{country}:{prefix}")',
        replacement='area |= Q(region__startswith=f"{country}:")',
        tests=("quartier/dashboard/tests/test_views.py",),
    ),
    Bug(
        id="quiet-bank-compiles-an-empty-queue",
        promise="A phone bank with no contact in calling hours hands out nobody, without an error.",
        file=f"{FIELDWORK}/actions/calls.py",
        original="if not calling_zones(campaign, now):",
        replacement="if False:",
        tests=(CALL_QUEUE,),
        postgresql=True,  # SQLite compiles the empty IN; PostgreSQL's one-statement claim did not
    ),
    # --- outreach's registry (docs/architecture.md) --------------------------------------------
    Bug(
        id="segment-filter-without-provider-selects-everyone",
        promise="A segment on a group or on attendance narrows the audience through organizing's filter.",
        file="quartier/outreach/segments.py",
        original="return registry.segment_filter(name)(people, value)",
        replacement="return people",
        tests=(
            "quartier/outreach/tests/test_registry.py",
            "quartier/organizing/tests/test_outreach_providers.py",
        ),
    ),
    Bug(
        id="not-attended-keeps-everyone",
        promise="A segment of people who never attended an event leaves out those marked present.",
        file="quartier/organizing/outreach_providers.py",
        original="return people.exclude(pk__in=events_queries.ever_attended_ids())",
        replacement="return people",
        tests=("quartier/organizing/tests/test_outreach_providers.py",),
    ),
    # --- pages a campaign is proud of: markup, CSP, language (issue 20) ------------------------
    Bug(
        id="bell-icon-inline-style",
        promise="No page template carries an inline style, which the Content Security Policy refuses.",
        file="quartier/social/templates/social/_counts.html",
        original='stroke-linejoin="round" class="bell-icon">',
        replacement='stroke-linejoin="round" style="vertical-align:-3px">',
        tests=("quartier/tests/test_page_markup.py",),
    ),
    Bug(
        id="returning-donor-repeats-amount-ids",
        promise="The returning donor's one-step amounts repeat no id of the full form.",
        file="quartier/donations/templates/donations/donate.html",
        original="{% for choice in express_form.amount %}<label><input",
        replacement="{% for choice in express_form.amount %}<label>{{ choice.tag }}<input",
        tests=("quartier/donations/tests/test_markup.py",),
    ),
    Bug(
        id="appeal-forms-share-one-id",
        promise="Each decision's appeal box has its own id.",
        file="quartier/social/templates/social/my_decisions.html",
        original='<textarea id="appeal-{{ action.pk }}"',
        replacement='<textarea id="id_text"',
        tests=("quartier/social/tests/test_markup.py",),
    ),
    Bug(
        id="preferences-page-in-the-browsers-language",
        promise="The signed preferences page speaks the recipient's language, not the browser's.",
        file="quartier/outreach/views.py",
        original="        language = supporter.language\n        translation.activate(language)",
        replacement="        pass",
        tests=("quartier/outreach/tests/test_preferences.py",),
    ),
    Bug(
        id="dates-in-digits",
        promise="A date names its month: never 12/06/2026, read as June or December.",
        file="quartier/formats/en/formats.py",
        original='SHORT_DATE_FORMAT = "j N Y"',
        replacement='SHORT_DATE_FORMAT = "m/d/Y"',
        tests=("quartier/tests/test_language.py",),
    ),
    Bug(
        id="no-just-now",
        promise='A moment under a minute old reads "just now".',
        file="quartier/accounts/templatetags/moments.py",
        original="timedelta(minutes=1)",
        replacement="timedelta(0)",
        tests=("quartier/tests/test_language.py",),
    ),
]
