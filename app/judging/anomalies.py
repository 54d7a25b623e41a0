"""What looks like a campaign rather than people voting, in a public-vote round.

Each rule marks the ballots inside a sliding time window that holds too many of one kind;
the organisers see them with the reason and may void them. A flag is a question, not a
verdict: a class voting together from its school's network is flagged too, and the
organisers decide.

- many ballots from one network (an IPv4 /24 or an IPv6 /64) within ten minutes;
- many ballots of new voters (no account, or one made within a day before the vote)
  within ten minutes, from anywhere: at least 20, and five times the vote's own pace;
- many confirmations within one minute (links opened by a script): at least 10, and five
  times the vote's own pace.
"""

from __future__ import annotations

import ipaddress
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

NETWORK_BURST = 10
NEW_VOTER_BURST = 20
CONFIRMATION_BURST = 10
BURST_WINDOW = timedelta(minutes=10)
CONFIRMATION_WINDOW = timedelta(minutes=1)
# New voters and confirmations: a window is a burst past its minimum only when it also holds
# this many times the vote's own average for such a window.
ABOVE_USUAL = 5.0


class Flag(StrEnum):
    NETWORK_BURST = "network_burst"
    NEW_VOTERS = "new_voters"
    CONFIRMATION_BURST = "confirmation_burst"


@dataclass(frozen=True)
class Ballot:
    id: int
    network: str
    new_voter: bool
    created_at: datetime
    confirmed_at: datetime | None


def network_of(address: str) -> str:
    """The network a vote is counted in: an IPv4 client's /24, an IPv6 client's /64 (anyone
    with a line holds a whole /64, a small office often a /24)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if isinstance(ip, ipaddress.IPv4Address) else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def in_bursts(
    events: Iterable[tuple[datetime, int]],
    *,
    at_least: int,
    within: timedelta,
    above_usual: float | None = None,
    over: timedelta | None = None,
) -> set[int]:
    """The ids of the events inside any window of `within` that holds `at_least` events, or,
    with `above_usual`, that many times the events such a window holds on average over the
    vote (`over`: how long it has been open; else the events' own span) if that is more (a
    big vote has many voters every ten minutes: a burst is what stands out from its pace)."""
    ordered = sorted((at.timestamp(), event_id) for at, event_id in events)
    if not ordered:
        return set()
    width = within.total_seconds()
    threshold = at_least
    if above_usual is not None:
        seen = over.total_seconds() if over is not None else ordered[-1][0] - ordered[0][0]
        span = max(seen, width)
        threshold = max(at_least, math.ceil(above_usual * len(ordered) * width / span))
    marked: set[int] = set()
    start = 0
    marked_to = -1  # every event up to this index is marked already
    for end, (at, _id) in enumerate(ordered):
        while at - ordered[start][0] > width:
            start += 1
        if end - start + 1 >= threshold:
            for index in range(max(start, marked_to + 1), end + 1):
                marked.add(ordered[index][1])
            marked_to = end
    return marked


def flag(ballots: Sequence[Ballot], *, over: timedelta) -> dict[int, list[Flag]]:
    """Each flagged ballot's id with the reasons, in the order of the rules above; `over` is
    how long the vote has been open (its pace is measured over it)."""
    found: dict[int, list[Flag]] = defaultdict(list)
    by_network: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for ballot in ballots:
        by_network[ballot.network].append((ballot.created_at, ballot.id))
    for events in by_network.values():
        if len(events) < NETWORK_BURST:
            continue
        for ballot_id in in_bursts(events, at_least=NETWORK_BURST, within=BURST_WINDOW):
            found[ballot_id].append(Flag.NETWORK_BURST)
    new = [(b.created_at, b.id) for b in ballots if b.new_voter]
    for ballot_id in in_bursts(
        new, at_least=NEW_VOTER_BURST, within=BURST_WINDOW, above_usual=ABOVE_USUAL, over=over
    ):
        found[ballot_id].append(Flag.NEW_VOTERS)
    confirmed = [(b.confirmed_at, b.id) for b in ballots if b.confirmed_at is not None]
    for ballot_id in in_bursts(
        confirmed,
        at_least=CONFIRMATION_BURST,
        within=CONFIRMATION_WINDOW,
        above_usual=ABOVE_USUAL,
        over=over,
    ):
        found[ballot_id].append(Flag.CONFIRMATION_BURST)
    return dict(found)
