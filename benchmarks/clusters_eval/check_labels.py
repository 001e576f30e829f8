"""Self-check for the story-clustering evaluation set.

Run from the project root:

    .venv/bin/python benchmarks/clusters_eval/check_labels.py

Validates that every eval feed (benchmarks/clusters_eval/feeds/*.xml plus the five demo
feeds in newsroom/demo_feeds/) parses cleanly with feedparser, that labels.json assigns
every feedparser ``entry.id`` to exactly one event and names no id that is not in a feed,
and a few authoring rules (dates, description length, time spread inside an event).
Also validates the "patterns" map (the hard cases each event exercises) against the events
and the hard negatives. Prints the counts. Exits 1 if any check fails.
"""

import json
import re
import sys
from calendar import timegm
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import feedparser

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OWN_FEEDS = sorted((HERE / "feeds").glob("*.xml"))
DEMO_FEEDS = sorted((ROOT / "newsroom" / "demo_feeds").glob("*.xml"))
LABELS = HERE / "labels.json"

WINDOW_START = datetime(2026, 11, 16, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 28, tzinfo=UTC)  # exclusive
MAX_EVENT_SPREAD_HOURS = 30
GUID_RE = re.compile(r"^[a-z0-9-]+:\d{3}$")
# labels.json "patterns": event id -> the hard cases it exercises (see README.md)
PATTERN_TAGS = (
    "unnamed-headline",
    "synonyms",
    "different-figures",
    "near-miss",
    "look-alike",
    "same-hour",
)
SINGLE_ITEM_TAGS = {"look-alike"}  # the only tag an event with one item can carry
PATTERNED_PREFIX = "X"  # every multi-source event with this id prefix must be tagged
SAME_HOUR_MIN_ITEMS = 3  # "same-hour": at least this many items within 60 minutes

errors: list[str] = []


def fail(msg):
    errors.append(msg)


def entry_time(entry):
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(timegm(parsed), tz=UTC) if parsed else None


def entry_text(entry):
    raw = entry.content[0].value if entry.get("content") else entry.get("summary", "")
    return unescape(re.sub(r"<[^>]+>", " ", raw))


def main():
    # ---- parse every feed
    where: dict[str, str] = {}  # entry id -> file name
    when = {}  # entry id -> datetime (UTC)
    per_file = {}
    for path in OWN_FEEDS + DEMO_FEEDS:
        own = path in OWN_FEEDS
        d = feedparser.parse(str(path))
        if d.bozo:
            fail(f"{path.name}: bozo {d.get('bozo_exception')!r}")
        if not d.entries:
            fail(f"{path.name}: no entries")
        per_file[path.name] = (
            len(d.entries),
            d.version,
            "clusters_eval" if own else "demo",
        )
        links = set()
        for e in d.entries:
            eid = e.get("id")
            if not eid:
                fail(f"{path.name}: entry without id: {e.get('title')!r}")
                continue
            if eid in where:
                fail(f"entry id {eid!r} appears in {where[eid]} and {path.name}")
            where[eid] = path.name
            when[eid] = entry_time(e)
            if not own:
                continue
            # authoring rules for the clusters_eval feeds
            if d.version != "rss20":
                fail(f"{path.name}: expected RSS 2.0, got {d.version}")
            if not GUID_RE.match(eid):
                fail(f"{path.name}: guid {eid!r} is not '<outlet-slug>:NNN'")
            for field in ("title", "link", "summary", "published"):
                if not e.get(field):
                    fail(f"{path.name} {eid}: missing {field}")
            link = e.get("link", "")
            if (
                not link.startswith("https://")
                or ".example/" not in link
                or link in links
            ):
                fail(f"{path.name} {eid}: bad or duplicate link {link!r}")
            links.add(link)
            t = when[eid]
            if t is None or not (WINDOW_START <= t < WINDOW_END):
                fail(
                    f"{path.name} {eid}: pubDate {e.get('published')!r} outside 2026-11-16..27"
                )
            words = len(entry_text(e).split())
            if not 60 <= words <= 200:
                fail(f"{path.name} {eid}: description has {words} words (want 60-200)")

    # ---- labels
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    events = labels["events"]
    notes = labels.get("notes", {})
    hard = labels.get("hard_negatives", [])

    seen = Counter(g for guids in events.values() for g in guids)
    for g, n in seen.items():
        if n > 1:
            fail(f"labels.json: {g!r} is in {n} events")
        if g not in where:
            fail(f"labels.json: {g!r} is not an entry id in any eval feed")
    for eid in where:
        if eid not in seen:
            fail(f"{where[eid]}: entry id {eid!r} is not labelled")
    for ev, guids in events.items():
        if not guids:
            fail(f"event {ev} is empty")
        if ev not in notes:
            fail(f"event {ev} has no note")
        files = [where.get(g) for g in guids]
        dup = [f for f, n in Counter(files).items() if n > 1]
        if dup:
            fail(f"event {ev}: several items from the same feed {dup}")
        times = [when[g] for g in guids if g in where and when[g]]
        if len(times) > 1:
            spread = (max(times) - min(times)).total_seconds() / 3600
            if spread > MAX_EVENT_SPREAD_HOURS:
                fail(
                    f"event {ev}: items span {spread:.1f} h (> {MAX_EVENT_SPREAD_HOURS} h)"
                )
    for extra in set(notes) - set(events):
        fail(f"note for unknown event {extra}")
    hn_pairs = set()
    for row in hard:
        if (
            len(row) != 3
            or row[0] not in events
            or row[1] not in events
            or row[0] == row[1]
        ):
            fail(f"bad hard_negatives row {row!r}")
            continue
        key = tuple(sorted(row[:2]))
        if key in hn_pairs:
            fail(f"duplicate hard_negatives pair {key}")
        hn_pairs.add(key)
    hn_events = {e for p in hn_pairs for e in p}

    patterns = labels.get("patterns", {})
    if not isinstance(patterns, dict):
        fail("labels.json: patterns must be an object {event: [tags]}")
        patterns = {}
    for ev, tags in patterns.items():
        if ev not in events:
            fail(f"patterns: {ev} is not an event")
            continue
        if not isinstance(tags, list) or not tags:
            fail(f"patterns: {ev} needs a non-empty list of tags")
            continue
        for tag in tags:
            if tag not in PATTERN_TAGS:
                fail(f"patterns: {ev} has unknown tag {tag!r}")
        if len(set(tags)) != len(tags):
            fail(f"patterns: {ev} repeats a tag")
        if len(events[ev]) == 1 and set(tags) - SINGLE_ITEM_TAGS:
            fail(f"patterns: {ev} has one item, so it can only be tagged look-alike")
        if "look-alike" in tags and ev not in hn_events:
            fail(f"patterns: {ev} is tagged look-alike but is in no hard_negatives row")
        if ev in hn_events and "look-alike" not in tags:
            fail(f"patterns: {ev} is in a hard_negatives row but not tagged look-alike")
        if "same-hour" in tags:
            times = sorted(when[g] for g in events[ev] if g in where and when[g])
            most = max(
                (
                    sum(1 for u in times if 0 <= (u - t).total_seconds() <= 3600)
                    for t in times
                ),
                default=0,
            )
            if most < SAME_HOUR_MIN_ITEMS:
                fail(
                    f"patterns: {ev} is tagged same-hour but at most {most} of its"
                    f" items fall within one hour (want {SAME_HOUR_MIN_ITEMS})"
                )
    for ev, guids in events.items():
        if ev.startswith(PATTERNED_PREFIX) and len(guids) > 1 and ev not in patterns:
            fail(f"patterns: multi-source event {ev} has no tags")

    # ---- counts
    print("Feeds")
    for name, (n, version, kind) in per_file.items():
        print(f"  {kind:13} {name:32} {version:6} {n:4d} items")
    own_ids = {g for g, f in where.items() if f in {p.name for p in OWN_FEEDS}}
    print(
        f"  items: {len(where)} total = {len(own_ids)} clusters_eval"
        f" + {len(where) - len(own_ids)} demo"
    )

    sizes = Counter(len(g) for g in events.values())
    multi = {ev: g for ev, g in events.items() if len(g) > 1}
    positives = sum(len(g) * (len(g) - 1) // 2 for g in events.values())
    total_pairs = len(where) * (len(where) - 1) // 2
    own_multi = [ev for ev, g in multi.items() if any(x in own_ids for x in g)]
    own_single = [ev for ev, g in events.items() if len(g) == 1 and g[0] in own_ids]
    cross_corpus = [
        ev
        for ev, g in multi.items()
        if any(x in own_ids for x in g) and any(x not in own_ids for x in g)
    ]
    hn_pos_pairs = sum(len(events[a]) * len(events[b]) for a, b in hn_pairs)

    print("Events")
    print(
        f"  events: {len(events)} ({len(multi)} multi-source,"
        f" {len(events) - len(multi)} single-source)"
    )
    print(
        "  size distribution: "
        + ", ".join(f"{k} items: {v}" for k, v in sorted(sizes.items()))
    )
    print(
        f"  multi-source events with clusters_eval items: {len(own_multi)} "
        f"({len(cross_corpus)} of them demo events extended with clusters_eval items)"
    )
    print(f"  single-source events in clusters_eval feeds: {len(own_single)}")
    print("Pairs")
    print(
        f"  item pairs: {total_pairs}; positive (same event): {positives};"
        f" negative: {total_pairs - positives}"
    )
    print(
        f"  hard-negative event pairs: {len(hn_pairs)} over {len(hn_events)} events "
        f"({hn_pos_pairs} item pairs that must NOT be merged)"
    )

    print("Patterns (events, their items, positive pairs inside them)")
    print(f"  tagged events: {len(patterns)}")
    for tag in PATTERN_TAGS:
        tagged = [ev for ev, tags in patterns.items() if ev in events and tag in tags]
        n_items = sum(len(events[ev]) for ev in tagged)
        n_pos = sum(len(events[ev]) * (len(events[ev]) - 1) // 2 for ev in tagged)
        print(
            f"  {tag:17} {len(tagged):3d} events, {n_items:4d} items,"
            f" {n_pos:4d} positive pairs"
        )

    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for msg in errors:
            print("  - " + msg)
        return 1
    print(
        "\nOK: all feeds parse (bozo False); every entry id is labelled exactly once; "
        "every labelled id exists in exactly one feed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
