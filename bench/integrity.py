"""`python -m bench.integrity`: a synthetic attack on an organic campaign, the detectors' quality on it,
and the timings of trust propagation, near-duplicate search and coordination detection.

    python -m bench.integrity --supporters 20000 --seed 2026          small: quality and a rough timing
    python -m bench.integrity --quality-supporters 200000 --supporters 2000000 --posts 1000000 \\
        --graph-nodes 2000000 --graph-edges 100000000                  the issue's scale (a quiet machine)

Quality is measured on an attacked campaign of `--quality-supporters` (its texts and actions are
Python lists: at 2M supporters, 54M actions as tuples do not fit in 24 GB); the timings run at the
scale of `--supporters`, on texts and a day of reactions drawn in bulk (`bulk_texts`,
`bulk_day_of_actions`: 5 reactions per supporter unless `--day-actions` says otherwise).

No database: the generator makes arrays and texts in memory and calls the same detector functions
as the periodic job (`quartier/integrity/detection/`, `quartier/integrity/reputation.py`) with the
same default thresholds. The thresholds were chosen on seed 1; the default seed (2026) is held out.

The campaign (scaled by `--supporters`):
- organic supporters who sign up over 90 days (a third behind a few mobile carriers' shared /24s,
  most on Chrome for Android or Safari for iPhone, with common email shapes such as `a.a@gmail.com`),
  follow each other (about 5 mutual follows each, a few hubs), and post short texts in French or
  English, 2% of which quote the campaign's slogan; they react to and comment on posts all day long,
  popular posts drawing bursts of reactions right after they are published;
- attack rings of 5 to 15 accounts, each ring one of four kinds:
  `copy_ring`: paraphrased copies of a few messages (synonyms, dropped and swapped words, case and
  punctuation), posted at random times over hours, signing up together from one network;
  `copy_ring_rotated`: the same with every account on another network (fingerprints evaded);
  `sync_ring`: reacting together to 6 to 12 posts, each time within 0 to 20 s of each other (jitter),
  on rotated networks;
  `sybil_ring`: befriending each other densely, with one to three edges to real supporters.

Quality: for each attack kind, the share of its accounts flagged by any detector (recall); for each
detector, the share of the accounts it flagged that are attackers (precision); and the share of
organic supporters flagged by anything. Timings (wall clock, one process): trust propagation over
a random graph of `--graph-nodes` and `--graph-edges`, near-duplicate streaming of `--posts` posts
(signatures, query, insert, in micro-batches of STREAM_BATCH posts, then ONE_BY_ONE more one at a
time) and their full rebuild, with the index's bytes per post, and synchronised-action detection
over a day of actions. The issue's raw references are printed beside.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.integrity_words import GLUE, WORDS_EN, WORDS_FR
from quartier.integrity import reputation
from quartier.integrity.detection import (
    band_index,
    dense,
    fingerprints,
    minhash,
    near_duplicates,
    synchronised,
)

DAY = 86400.0
ATTACK_KINDS = ("copy_ring", "copy_ring_rotated", "sync_ring", "sybil_ring")
# Streaming: posts checked together (those of the last moment), and posts then checked one at a time.
STREAM_BATCH = 512
ONE_BY_ONE = 2000
SLOGAN = "Ensemble pour un quartier plus juste, plus vert et plus solidaire"

CARRIER_NETWORKS = [f"10.{number}.0.0/24" for number in range(20)]
AGENTS = ["chrome/android"] * 5 + ["safari/ios"] * 3 + ["chrome/windows", "firefox/linux", "safari/macos"]
EMAIL_SHAPES = (
    ["a.a@gmail.com"] * 4 + ["a9@gmail.com"] * 2 + ["a@hotmail.fr", "a.a@videotron.ca", "a_a9@yahoo.ca"]
)


@dataclass
class Campaign:
    """Everything the detectors see, and the truth about who attacks (`kind_of`, organic absent)."""

    supporters: int = 0
    kind_of: dict[int, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    text_authors: list[int] = field(default_factory=list)
    signups: list[tuple[int, str, str, str, float]] = field(default_factory=list)
    actions: list[tuple[int, int, float]] = field(default_factory=list)  # (actor, item, time)
    edges: list[tuple[int, int]] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)


def sentence(rng: np.random.Generator) -> str:
    words = WORDS_FR if rng.random() < 0.5 else WORDS_EN
    count = int(rng.integers(8, 16))
    chosen = [str(rng.choice(words)) if rng.random() < 0.6 else str(rng.choice(GLUE)) for _ in range(count)]
    return " ".join(chosen).capitalize() + str(rng.choice([".", "!", "?", "."]))


def organic_text(rng: np.random.Generator) -> str:
    text = " ".join(sentence(rng) for _ in range(int(rng.integers(2, 5))))
    return f"{SLOGAN}. {text}" if rng.random() < 0.02 else text


def paraphrase(text: str, rng: np.random.Generator) -> str:
    """Synonyms for about one word in six, a few words dropped, one pair swapped, case and punctuation."""
    words = text.split()
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < 0.04:
            continue
        if roll < 0.17:
            out.append(str(rng.choice(WORDS_FR + WORDS_EN)))
        else:
            out.append(word)
    if len(out) > 3:
        i = int(rng.integers(0, len(out) - 1))
        out[i], out[i + 1] = out[i + 1], out[i]
    result = " ".join(out)
    return result.upper() if rng.random() < 0.1 else result.replace(".", "!" if rng.random() < 0.5 else ".")


def generate(supporters: int, posts: int, seed: int) -> Campaign:
    rng = np.random.default_rng(seed)
    campaign = Campaign()
    organic = supporters
    next_id = 1
    # Organic supporters: signups, follows, posts, actions.
    for pk in range(next_id, next_id + organic):
        shared = rng.random() < 0.33
        network = str(rng.choice(CARRIER_NETWORKS)) if shared else f"net-{rng.integers(0, 10**9)}"
        when = float(rng.integers(0, 90)) * DAY + float(rng.normal(20 * 3600, 3 * 3600))
        campaign.signups.append((pk, network, str(rng.choice(AGENTS)), str(rng.choice(EMAIL_SHAPES)), when))
    organic_ids = np.arange(next_id, next_id + organic)
    next_id += organic
    hubs = organic_ids[: max(organic // 200, 1)]
    for pk in organic_ids:
        for other in rng.choice(organic_ids, size=int(rng.integers(2, 6))):
            if other != pk:
                campaign.edges.append((int(pk), int(other)))
        if rng.random() < 0.2:
            campaign.edges.append((int(pk), int(rng.choice(hubs))))
    campaign.seeds = [int(pk) for pk in organic_ids[rng.random(organic) < 0.1]]
    organic_posts = int(posts * 0.97)
    for _ in range(organic_posts):
        campaign.texts.append(organic_text(rng))
        campaign.text_authors.append(int(rng.choice(organic_ids)))
    items = max(organic_posts, 1)
    popularity = rng.zipf(1.6, size=items).clip(max=5000)
    published = rng.uniform(0, DAY, size=items)
    for item in range(items):
        reactors = rng.choice(organic_ids, size=min(int(popularity[item]), organic))
        delays = rng.exponential(1800.0, size=len(reactors))
        campaign.actions.extend(
            (int(actor), item, float(published[item] + delay))
            for actor, delay in zip(reactors, delays, strict=True)
        )
    # Attack rings, about 2% of the supporters in all.
    attackers = max(supporters // 50, 40)
    ring_count = 0
    while sum(1 for _ in campaign.kind_of) < attackers:
        kind = ATTACK_KINDS[ring_count % len(ATTACK_KINDS)]
        ring_count += 1
        size = int(rng.integers(5, 16))
        ring = list(range(next_id, next_id + size))
        next_id += size
        for pk in ring:
            campaign.kind_of[pk] = kind
        _attack(kind, ring, campaign, rng, organic_ids, items)
    campaign.supporters = next_id - 1
    return campaign


def _attack(
    kind: str,
    ring: list[int],
    campaign: Campaign,
    rng: np.random.Generator,
    organic_ids: np.ndarray,
    items: int,
) -> None:
    start = float(rng.uniform(0, 85)) * DAY
    network = f"net-ring-{ring[0]}"
    agent = str(rng.choice(AGENTS))
    shape = "a9@gmail.com"
    for offset, pk in enumerate(ring):
        rotated = kind != "copy_ring"
        when = start + offset * float(rng.uniform(60, 400))
        campaign.signups.append(
            (pk, f"net-{rng.integers(0, 10**9)}" if rotated else network, agent, shape, when)
        )
        campaign.edges.append((pk, ring[(offset + 1) % len(ring)]))  # rings follow each other a little
    if kind in {"copy_ring", "copy_ring_rotated"}:
        for _message in range(int(rng.integers(2, 5))):
            source = organic_text(rng)
            for pk in ring:
                if rng.random() < 0.85:  # not every puppet posts every message
                    campaign.texts.append(paraphrase(source, rng))
                    campaign.text_authors.append(pk)
    elif kind == "sync_ring":
        for item in rng.choice(items, size=int(rng.integers(6, 13)), replace=False):
            moment = float(rng.uniform(0, DAY))
            campaign.actions.extend((pk, int(item), moment + float(rng.uniform(0, 20))) for pk in ring)
    elif kind == "sybil_ring":
        campaign.edges.extend((a, b) for i, a in enumerate(ring) for b in ring[i + 1 :] if rng.random() < 0.7)
        for _edge in range(int(rng.integers(1, 4))):
            campaign.edges.append((int(rng.choice(ring)), int(rng.choice(organic_ids))))


def run_detectors(campaign: Campaign) -> dict[str, set[int]]:
    """The accounts each detector flags, with the app's default thresholds."""
    flagged: dict[str, set[int]] = {}
    signatures, long_enough = minhash.signatures(campaign.texts)
    authors = np.asarray(campaign.text_authors)[long_enough]
    labels = [f"text:{i}" for i in np.flatnonzero(long_enough)]
    # The periodic job's steps (texts checked in micro-batches as written, links, groups), in memory.
    found = near_duplicates.find(labels, authors, signatures[long_enough])
    flagged["near_duplicate"] = {pk for finding in found for pk in finding.members}
    actions = np.asarray(campaign.actions)
    found = synchronised.find(actions[:, 0].astype(np.int64), actions[:, 1].astype(np.int64), actions[:, 2])
    flagged["synchronised"] = {pk for finding in found for pk in finding.members}
    found = fingerprints.find(campaign.signups)
    flagged["shared_fingerprint"] = {pk for finding in found for pk in finding.members}
    ids = np.arange(1, campaign.supporters + 1)
    graph = reputation.build_graph(ids, np.asarray(campaign.edges), np.asarray(campaign.seeds))
    found = dense.find(
        graph.ids, graph.adjacency, reputation.propagate(graph), low_score=reputation.LOW_SCORE
    )
    flagged["dense_low_trust"] = {pk for finding in found for pk in finding.members}
    return flagged


def quality(campaign: Campaign, flagged: dict[str, set[int]]) -> None:
    anything = set().union(*flagged.values())
    organic = campaign.supporters - len(campaign.kind_of)
    print(f"\nQuality ({campaign.supporters} supporters, {len(campaign.kind_of)} attackers, {len(campaign.texts)} texts, "
          f"{len(campaign.actions)} actions)")  # fmt: skip
    print("| attack kind | accounts | recall (any detector) |")
    print("|---|---:|---:|")
    for kind in ATTACK_KINDS:
        members = {pk for pk, of in campaign.kind_of.items() if of == kind}
        print(f"| {kind} | {len(members)} | {len(members & anything) / max(len(members), 1):.3f} |")
    print("\n| detector | accounts flagged | precision | organic flagged |")
    print("|---|---:|---:|---:|")
    for name, accounts in flagged.items():
        attackers = sum(1 for pk in accounts if pk in campaign.kind_of)
        precision = attackers / len(accounts) if accounts else float("nan")
        print(f"| {name} | {len(accounts)} | {precision:.3f} | {len(accounts) - attackers} |")
    attackers = sum(1 for pk in anything if pk in campaign.kind_of)
    print(
        f"| any | {len(anything)} | {attackers / max(len(anything), 1):.3f} | {len(anything) - attackers} |"
    )
    print(f"\nOrganic supporters flagged: {(len(anything) - attackers) / organic:.4%} (target < 1%); "
          f"overall recall {attackers / len(campaign.kind_of):.3f} (target >= 0.9)")  # fmt: skip


def timed(label: str, work: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"- {label}: {elapsed:.2f} s")
    return result, elapsed


def trust_timings(graph_nodes: int, graph_edges: int, rng: np.random.Generator) -> None:
    edges = rng.integers(1, graph_nodes + 1, size=(graph_edges, 2), dtype=np.int64)
    seeds = rng.integers(1, graph_nodes, 1000)
    graph, _ = timed(
        f"trust graph built ({graph_nodes} nodes, {graph_edges} edges)",
        lambda: reputation.build_graph(np.arange(1, graph_nodes + 1), edges, seeds),
    )
    timed("trust propagation, ceil(log2 n) lazy steps", lambda: reputation.propagate(graph))
    print("  reference: SybilRank in scipy, 2M nodes / 85M edges, about 12 s; target <= 20 s at 2M / 100M")


def bulk_texts(count: int, rng: np.random.Generator) -> list[str]:
    """`count` organic-looking texts drawn in bulk (the same words, 2 to 4 sentences of 8 to 15 words
    each as `organic_text`, without its per-word Python loop, which takes minutes at a million)."""
    vocabulary = np.array(WORDS_FR + WORDS_EN + GLUE)
    lengths = rng.integers(2, 5, size=count) * rng.integers(8, 16, size=count)
    words = vocabulary[rng.integers(0, vocabulary.size, size=int(lengths.sum()))]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    texts = [" ".join(words[bounds[i] : bounds[i + 1]].tolist()) for i in range(count)]
    slogan = rng.random(count) < 0.02
    return [f"{SLOGAN}. {text}" if quoted else text for text, quoted in zip(texts, slogan, strict=True)]


def bulk_day_of_actions(count: int, supporters: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(actors, items, times) of `count` reactions in one day: posts published through the day, each
    drawing a Zipf-sized burst of reactions in the half hour after (as `generate`), in bulk."""
    posts = max(count // 10, 1)
    popularity = rng.zipf(1.6, size=posts).clip(max=5000).astype(np.int64)
    popularity = np.maximum(1, np.round(popularity * count / popularity.sum())).astype(np.int64)
    items = np.repeat(np.arange(posts, dtype=np.int64), popularity)[:count]
    published = rng.uniform(0, DAY, size=posts)
    times = published[items] + rng.exponential(1800.0, size=items.size)
    actors = rng.integers(1, supporters + 1, size=items.size, dtype=np.int64)
    return actors, items, times


def timings(graph_nodes: int, graph_edges: int, posts: int, day_actions: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    print(f"\nTimings at scale (one process, wall clock; peak RSS so far {peak_mb():.0f} MB)")
    trust_timings(graph_nodes, graph_edges, rng)
    print(f"  peak RSS {peak_mb():.0f} MB")
    texts, _ = timed(f"{posts:,} texts drawn (not timed against a target)", lambda: bulk_texts(posts, rng))
    authors = rng.integers(1, graph_nodes + 1, size=len(texts))
    index = band_index.BandIndex()
    started = time.perf_counter()
    # The worker checks the posts of the last moment together (micro-batches).
    for first in range(0, len(texts), STREAM_BATCH):
        batch = slice(first, first + STREAM_BATCH)
        band_index.check_texts(index, np.arange(len(texts))[batch], authors[batch], texts[batch])
    streamed = time.perf_counter() - started
    print(f"- near-duplicate streaming in batches of {STREAM_BATCH} (signatures, query, insert): "
          f"{len(texts) / streamed:,.0f} posts/s, {1000 * streamed / len(texts):.3f} ms per post amortised "
          f"(target >= 10,000/s, <= 1 ms)")  # fmt: skip
    print(f"  index: {index.nbytes / max(len(index), 1):.0f} bytes per post (datasketch: about 3,800)")
    extra = bulk_texts(ONE_BY_ONE, rng)
    started = time.perf_counter()
    for number, text in enumerate(extra):
        band_index.check_texts(index, np.array([len(texts) + number]), authors[:1], [text])
    one_by_one = (time.perf_counter() - started) / len(extra)
    print(f"  {ONE_BY_ONE:,} posts more, one at a time (batch size 1), into the full index: "
          f"{1 / one_by_one:,.0f} posts/s, {1000 * one_by_one:.3f} ms per post")  # fmt: skip

    def rebuild() -> band_index.BandIndex:
        keys, long_enough = minhash.band_keys_of(texts)  # 64 bytes a text, not every signature
        rebuilt = band_index.BandIndex()
        rebuilt.rebuild(np.flatnonzero(long_enough), authors[long_enough], keys[long_enough])
        return rebuilt

    _, elapsed = timed(f"near-duplicate full rebuild of {len(texts)} posts", rebuild)
    print(f"  {len(texts) / elapsed:,.0f} posts/s (target: 1M posts in <= 3 min, <= 1 GB); "
          f"reference datasketch MinHash.bulk 7,500-10,000/s")  # fmt: skip
    print(f"  peak RSS {peak_mb():.0f} MB")
    actors, items, times = bulk_day_of_actions(day_actions, graph_nodes, rng)
    before = peak_mb()
    timed(
        f"synchronised actions over a day ({actors.size:,} actions of {graph_nodes:,} supporters)",
        lambda: synchronised.find(actors, items, times),
    )
    print(
        f"  target: a day of activity in <= 2 min, <= 4 GB; peak RSS {peak_mb():.0f} MB (before: {before:.0f} MB)"
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.integrity", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--supporters",
        type=int,
        default=20000,
        help="timings: the scale (posts, graph, a day of actions follow it)",
    )
    parser.add_argument(
        "--quality-supporters", type=int, default=20000,
        help="the attacked campaign the detectors' quality is measured on (texts, actions: Python lists)",
    )  # fmt: skip
    parser.add_argument(
        "--posts", type=int, default=0, help="timings: posts (default: one per two supporters)"
    )
    parser.add_argument(
        "--graph-nodes", type=int, default=0, help="trust-propagation graph (default: --supporters)"
    )
    parser.add_argument("--graph-edges", type=int, default=0, help="its edges (default: 50 per node)")
    parser.add_argument(
        "--seed", type=int, default=2026, help="held-out seed (thresholds were set on seed 1)"
    )
    parser.add_argument(
        "--day-actions", type=int, default=0,
        help="timings: reactions in the day checked for synchronised actions (default: 5 per graph node)",
    )  # fmt: skip
    parser.add_argument("--skip-timings", action="store_true")
    args = parser.parse_args(argv)
    posts = args.posts or max(args.supporters // 2, 200)
    started = time.perf_counter()
    campaign = generate(args.quality_supporters, max(args.quality_supporters // 2, 200), args.seed)
    print(f"Generated in {time.perf_counter() - started:.1f} s (seed {args.seed})")
    quality(campaign, run_detectors(campaign))
    if not args.skip_timings:
        del campaign
        nodes = args.graph_nodes or args.supporters
        timings(nodes, args.graph_edges or nodes * 50, posts, args.day_actions or 5 * nodes, args.seed)


if __name__ == "__main__":
    main()
