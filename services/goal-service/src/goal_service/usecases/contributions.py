"""Count payments on a goal, once each, in batches: the goal.commands worker's hot path.

Writes, in this order, so a crash anywhere leaves nothing counted twice or lost:
1. contribution records numbered after the goal's count (`seq`), not yet counted (a record
   already there is either counted, or left by a crashed attempt and numbered again);
2. the goal update guarded by that count: the single commit point (counters, top N);
3. the contributors' totals, each guarded by the last seq it holds.
A redelivery finds its record: counted when seq <= the goal's count (then step 3 is
repeated, guarded, in case the crash came before it), else renumbered and retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from goal_service.domain import contributions as c
from goal_service.domain.goal import GoalNotFound, count_guard, countable, progressed_event
from goal_service.ports import GoalRepository
from livestream_schemas.base import Message
from livestream_schemas.commands import Refund

Doc = c.Doc


class GoalChanged(RuntimeError):
    """The goal moved under the guarded update while still active: retry the message."""


@dataclass
class Counted:
    """The outcome for each contribution asked for, in the order asked."""

    messages: list[Message] = field(default_factory=list)
    goal: Doc | None = None


async def count_contributions(
    goal_id: str, items: Sequence[c.Contribution], *, goals: GoalRepository
) -> Counted:
    """Count each hold once while the goal can count it; refund a hold that came too late."""
    goal = await goals.get(goal_id)
    if goal is None:
        raise GoalNotFound(goal_id)
    unique = list({it.insert_id: it for it in items}.values())
    todo = [it for it in unique if countable(goal, it.accepted_at)]
    late = [it for it in unique if not countable(goal, it.accepted_at)]
    done = await _counted(goal, _ids(late), goals=goals) if late else {}
    events = _late([it for it in late if it.insert_id not in done])
    if todo:
        batch = c.plan(goal_id, int(goal.get("contributions", 0)), todo)
        # Usually every record is new: one insert, and only a clash costs a lookup.
        clashes = await goals.insert_contributions(batch.records)
        again = await _counted(goal, clashes, goals=goals) if clashes else {}
        if clashes:
            batch = c.plan(goal_id, batch.base, [it for it in todo if it.insert_id not in again])
            await goals.write_contributions(batch.records)
        done.update(again)
        if batch.records:
            events.update(await _commit(goal, batch, todo, goals=goals))
    events.update({i: progressed_event(goal, _item(r)) for i, r in done.items()})
    return Counted([events[it.insert_id] for it in items], goal)


async def _counted(
    goal: Doc, insert_ids: Sequence[str], *, goals: GoalRepository
) -> dict[str, Doc]:
    """The records among these already counted on the goal, their contributors repaired."""
    found = await goals.find_contributions(goal["_id"], insert_ids)
    done = {r["insert_id"]: r for r in found if c.is_counted(r, goal)}
    await _repair_contributors(goal["_id"], list(done.values()), goals=goals)
    return done


async def _commit(
    goal: Doc, batch: c.Batch, items: Sequence[c.Contribution], *, goals: GoalRepository
) -> dict[str, Message]:
    goal_id = goal["_id"]
    sums = batch.sums()
    current = await goals.find_contributors(goal_id, list(sums))
    totals, fresh = c.new_totals(batch, current)
    top = c.merge_top(goal.get("top") or [], totals)
    update = c.commit_update(batch, fresh=fresh, top=top)
    after = await goals.commit(goal_id, base=batch.base, guard=count_guard(goal), update=update)
    if after is None:
        again = await goals.get(goal_id)
        todo = {r["insert_id"] for r in batch.records}
        if again is not None and not any(
            countable(again, it.accepted_at) for it in items if it.insert_id in todo
        ):
            return _late([_item(r) for r in batch.records])
        raise GoalChanged(f"goal {goal_id} changed under the update; retrying")
    await goals.apply_contributors(
        goal_id, [{"user_id": u, "new": u not in current, **s} for u, s in sums.items()]
    )
    return _progressed(goal, after, batch)


def _progressed(before: Doc, after: Doc, batch: c.Batch) -> dict[str, Message]:
    """One event per contribution, each with the goal's totals just after it counted."""
    out: dict[str, Message] = {}
    view = {**after, "version": before["version"], "progress": before.get("progress", 0)}
    view["cost"] = before.get("cost", 0)
    for rec in batch.records:
        view = {
            **view,
            "version": view["version"] + 1,
            "progress": view["progress"] + rec["amount"],
            "cost": view["cost"] + rec["cost"],
            "contributions": rec["seq"],
        }
        out[rec["insert_id"]] = progressed_event(view, _item(rec))
    return out


async def _repair_contributors(goal_id: str, done: list[Doc], *, goals: GoalRepository) -> None:
    """Redelivered counted holds: re-add each to its contributor (guarded, so at most once)."""
    for rec in sorted(done, key=lambda r: r["seq"]):
        one = {"user_id": rec["user_id"], "progress": rec["amount"], "cost": rec["cost"]}
        await goals.apply_contributors(
            goal_id, [{**one, "first_seq": rec["seq"], "last_seq": rec["seq"]}]
        )


def _late(todo: Sequence[c.Contribution]) -> dict[str, Message]:
    # The end-of-goal settlement only covers counted holds, so a late one is returned here.
    return {it.insert_id: Refund(transaction_id=it.insert_id, reason="goal_ended") for it in todo}


def _item(rec: Doc) -> c.Contribution:
    return c.Contribution(rec["insert_id"], rec["user_id"], rec["amount"], rec["cost"])


def _ids(items: Sequence[c.Contribution]) -> list[str]:
    return [it.insert_id for it in items]
