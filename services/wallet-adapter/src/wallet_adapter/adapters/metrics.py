"""Prometheus metrics of the escrow settlements the wallet answered (refunds, releases,
splits): the dashboard's refund and release rates."""

from __future__ import annotations

from prometheus_client import Counter

from wallet_adapter.ports import WalletReply

SETTLEMENTS = Counter(
    "lsg_wallet_settlements_total",
    "Escrow settlements the wallet answered, by kind (refund, release, split) and result",
    ["kind", "result"],
)


def counted(kind: str, reply: WalletReply) -> WalletReply:
    # A redelivered command is answered again with its first result, and counted again.
    SETTLEMENTS.labels(kind, "ok" if reply.ok else "refused").inc()
    return reply
