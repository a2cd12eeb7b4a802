"""The local stack's ports: clear of each other across checkouts, and of Linux's ephemeral range."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OFFSETS = range(0, 2801, 400)  # what checkouts are given (LSG_PORT_OFFSET)
EPHEMERAL_START = 32768  # Linux's net.ipv4.ip_local_port_range starts here
SERVICES = ("goal-service", "session-service", "wallet-adapter", "notifier")
KINDS = ("api", "worker", "api-metrics", "worker-metrics")


def _bases() -> dict[str, int]:
    """Every port env.sh gives a checkout with offset 0, by name."""
    script = f"""
        source {ROOT / "deploy/local/env.sh"}
        env | grep -E '^[A-Z_]+_PORT=' || true
        for s in {" ".join(SERVICES)}; do for k in {" ".join(KINDS)}; do
          echo "$s.$k=$(service_port $s $k)"
        done; done
    """
    out = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": "/usr/bin:/bin", "LSG_PORT_OFFSET": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ports = {k: int(v) for k, v in (line.split("=", 1) for line in out.split())}
    # `make images` runs its nine containers at the ports from IMAGE_CHECK_PORT on.
    ports |= {f"IMAGE_CHECK_PORT+{i}": ports["IMAGE_CHECK_PORT"] + i for i in range(1, 9)}
    return ports


def test_every_port_of_every_checkout_is_below_the_ephemeral_range() -> None:
    bases = _bases()
    assert len(bases) > 20, bases
    assert {k: v for k, v in bases.items() if v + max(OFFSETS) >= EPHEMERAL_START} == {}


def test_no_two_checkouts_share_a_port() -> None:
    bases = _bases()
    clashes = [
        (a, b)
        for (a, pa), (b, pb) in itertools.combinations(bases.items(), 2)
        if pa != pb  # one port under two names (PUSHER_PORT is SOCKUDO_PORT)
        and any(pa + x == pb + y for x in OFFSETS for y in OFFSETS)
    ]
    assert clashes == []
