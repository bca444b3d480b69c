"""The demo's word of mouth: who brought whom, with a few large cascades, many small ones, and one
viral night on which the number of people brought in grows about tenfold (as the 2008 Facebook app
went from 120,000 to 1,200,000 users overnight).

The sign-ups through share links are written to the activity journal (`reach.referral_signup`, as a
real sign-up writes them), then read into conversions and cascades by reach's own sync, as in
production. Running it again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.demo.demo_people import MARIE_EMAIL
from quartier.demo.generator import GENERATED_EMAIL_DOMAIN
from quartier.reach.actions import analytics, attribution
from quartier.reach.models import CascadeNode

MINIMUM_PEOPLE = 40  # below this, a viral night would be a handful of people: no cascades are drawn
VIRAL_NIGHT_DAYS_AGO = 21


class _Forest:
    """The trees being drawn: who brought whom and when (each child joins after its parent)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.joined: dict[int, datetime] = {}  # supporter id → when they entered word of mouth
        self.links: list[tuple[int, int, datetime]] = []  # (newcomer, sharer, when)

    def root(self, person: int, at: datetime) -> int:
        self.joined[person] = at
        return person

    def bring(self, newcomer: int, sharer: int, at: datetime) -> int:
        at = max(at, self.joined[sharer] + timedelta(minutes=1))
        self.joined[newcomer] = at
        self.links.append((newcomer, sharer, at))
        return newcomer


def _draw(people: list[int], marie: int | None, now: datetime, rng: random.Random) -> _Forest:
    forest = _Forest(rng)
    pool = iter(people)
    night = (now - timedelta(days=VIRAL_NIGHT_DAYS_AGO)).replace(hour=18, minute=0, second=0, microsecond=0)
    count = len(people)
    early, viral, later = max(4, count * 6 // 100), count * 60 // 100, count * 28 // 100

    # Weeks before: a few sharers, each bringing a few people.
    roots = [forest.root(next(pool), night - timedelta(days=rng.uniform(25, 40))) for _ in range(3)]
    big = [roots[0]]
    for _ in range(early - len(roots)):
        sharer = rng.choice(roots)
        newcomer = forest.bring(next(pool), sharer, night - timedelta(days=rng.uniform(1, 24)))
        if sharer == roots[0]:
            big.append(newcomer)
    # The viral night: the first cascade spreads person to person, each newcomer sharing on at once.
    for index in range(viral):
        sharer = rng.choice(big[-25:]) if rng.random() < 0.8 else rng.choice(big)
        big.append(forest.bring(next(pool), sharer, night + timedelta(minutes=index * 300 / max(viral, 1))))
    # The weeks after: many small cascades (most sharers bring nobody or one person), Marie's among them.
    after = night + timedelta(days=1, hours=6)
    if marie is not None:
        start = after + timedelta(days=1)
        mine = [forest.root(marie, start)]
        for index in range(6):
            sharer = mine[0] if index < 3 else rng.choice(mine[1:])
            mine.append(forest.bring(next(pool), sharer, start + timedelta(days=1 + index * 1.5)))
        later -= 6
    remaining = later
    while remaining > 0:
        sharer = forest.root(next(pool), after + timedelta(days=rng.uniform(0, VIRAL_NIGHT_DAYS_AGO - 3)))
        remaining -= 1
        frontier = [sharer]
        while frontier and remaining > 0:
            parent = frontier.pop()
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
                if remaining <= 0:
                    break
                when = forest.joined[parent] + timedelta(hours=rng.uniform(2, 72))
                frontier.append(forest.bring(next(pool), parent, min(when, now - timedelta(minutes=5))))
                remaining -= 1
    return forest


def add_cascades(seed: int = 2008) -> int:
    """Journal the demo's sign-ups through share links; returns how many (0 when already there or too
    few supporters)."""
    if CascadeNode.objects.exists():
        return 0
    people = list(
        Supporter.objects.filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}", is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(people) < MINIMUM_PEOPLE:
        return 0
    rng = random.Random(seed)
    rng.shuffle(people)
    marie = Supporter.objects.filter(email=MARIE_EMAIL).values_list("pk", flat=True).first()
    forest = _draw(people, marie, timezone.now(), rng)
    with transaction.atomic():
        supporters = Supporter.objects.in_bulk(list(forest.joined))
        # Each root enters word of mouth when it first shared, not at its (random) sign-up date.
        brought = {newcomer for newcomer, _sharer, _at in forest.links}
        for person, at in forest.joined.items():
            if person not in brought:
                attribution.node_for(supporters[person], joined_at=at)
        for newcomer, sharer, at in sorted(forest.links, key=lambda link: link[2]):
            record_activity(
                "reach.referral_signup", supporter=supporters[newcomer], key=f"supporter:{newcomer}",
                occurred_at=at, credited_to=supporters[sharer],
            )  # fmt: skip
    return len(forest.links)


def load(progress: Callable[[str], object] = print) -> None:
    """Read the journal into conversions and cascades, then compute the metrics the page shows."""
    read = attribution.sync_everything()
    snapshot = analytics.recompute_cascades()
    progress(
        f"  word of mouth: {read} journal rows read, {snapshot.metrics['people']} people in "
        f"{snapshot.metrics['cascades']} cascades"
    )
