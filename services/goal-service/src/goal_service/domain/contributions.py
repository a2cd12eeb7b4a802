"""Counting contributions without an unbounded goal document. Pure: no I/O.

A contribution is one counted hold (`insert_id`, the hold's wallet transaction id). Its
record in `goal_contributions` (`_id = "{goal_id}:{insert_id}"`) is the counted-once
guard, and its `seq` says where it stands: the goal counts contributions 1..n
(`contributions` on the goal), so a record is counted exactly when `seq <= n`. The goal
update that moves n is the one commit point; records written before it and never
committed (a crash, or the goal ended first) are simply not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

Doc = dict[str, Any]
TOP_SIZE = 10


@dataclass(frozen=True)
class Contribution:
    insert_id: str
    user_id: str
    amount: int
    cost: int
    # When its purchase was accepted: counts on a closing funding goal if before the end.
    accepted_at: datetime | None = None


def contribution_id(goal_id: str, insert_id: str) -> str:
    return f"{goal_id}:{insert_id}"


def contributor_id(goal_id: str, user_id: str) -> str:
    return f"{goal_id}:{user_id}"


def is_counted(record: Doc, goal: Doc) -> bool:
    return int(record.get("seq", 0)) <= int(goal.get("contributions", 0))


def record(goal_id: str, item: Contribution, seq: int) -> Doc:
    return {
        "_id": contribution_id(goal_id, item.insert_id),
        "goal_id": goal_id,
        "insert_id": item.insert_id,
        "user_id": item.user_id,
        "amount": item.amount,
        "cost": item.cost,
        "seq": seq,
    }


def rank_key(entry: Doc) -> tuple[int, int, str]:
    """Most progress first, then most coins, then user id for a stable order."""
    return (-int(entry["progress"]), -int(entry["cost"]), str(entry["user_id"]))


def merge_top(top: list[Doc], totals: dict[str, Doc], size: int = TOP_SIZE) -> list[Doc]:
    """The goal's top N after these contributors' new totals (totals only ever grow)."""
    merged = {e["user_id"]: e for e in top}
    for user_id, entry in totals.items():
        merged[user_id] = {"user_id": user_id, "progress": entry["progress"], "cost": entry["cost"]}
    return sorted(merged.values(), key=rank_key)[:size]


@dataclass
class Batch:
    """What one commit adds to a goal: new records in seq order and per-user sums."""

    goal_id: str
    base: int  # the goal's `contributions` before this commit
    records: list[Doc]

    def sums(self) -> dict[str, Doc]:
        out: dict[str, Doc] = {}
        for rec in self.records:
            entry = out.setdefault(
                rec["user_id"], {"progress": 0, "cost": 0, "first_seq": rec["seq"]}
            )
            entry["progress"] += rec["amount"]
            entry["cost"] += rec["cost"]
            entry["last_seq"] = rec["seq"]
        return out


def plan(goal_id: str, base: int, items: list[Contribution]) -> Batch:
    """Number not-yet-counted contributions base+1.. in the order they arrived."""
    return Batch(goal_id, base, [record(goal_id, it, base + i + 1) for i, it in enumerate(items)])


def new_totals(batch: Batch, current: dict[str, Doc]) -> tuple[dict[str, Doc], int]:
    """Each touched contributor's totals after the batch, and how many are new."""
    totals: dict[str, Doc] = {}
    fresh = 0
    for user_id, add in batch.sums().items():
        before = current.get(user_id)
        fresh += before is None
        totals[user_id] = {
            "progress": int((before or {}).get("progress", 0)) + add["progress"],
            "cost": int((before or {}).get("cost", 0)) + add["cost"],
        }
    return totals, fresh


def commit_update(batch: Batch, *, fresh: int, top: list[Doc]) -> Doc:
    """The goal update of one commit: counters, version, top N."""
    return {
        "$inc": {
            "contributions": len(batch.records),
            "progress": sum(r["amount"] for r in batch.records),
            "cost": sum(r["cost"] for r in batch.records),
            "contributors": fresh,
            "version": len(batch.records),
        },
        "$set": {"top": top},
    }
