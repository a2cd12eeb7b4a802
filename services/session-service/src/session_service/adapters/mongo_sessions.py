"""Sessions in MongoDB (collection `sessions`, `_id` = session_id).

Every update is one conditional update_one without positional `$` or arrayFilters, so it
runs the same on MongoDB and on FerretDB.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from session_service.domain.session import ExclusiveGoalPair, Session


class MongoSessionRepository:
    def __init__(self, db: Any) -> None:
        self._col = db["sessions"]

    async def ensure_indexes(self) -> None:
        await self._col.create_index([("user_id", 1), ("active", 1)])

    async def add(self, session: Session) -> None:
        await self._col.insert_one(to_doc(session))

    async def get(self, session_id: str) -> Session | None:
        doc = await self._col.find_one({"_id": session_id})
        return from_doc(doc) if doc else None

    async def set_active(self, session_id: str, active: bool) -> None:
        await self._col.update_one({"_id": session_id}, {"$set": {"active": active}})

    async def add_show_goal_pair(self, session_id: str, funding_goal: str) -> bool:
        # The guard makes the append happen once however often it is retried.
        result = await self._col.update_one(
            {"_id": session_id, "show_goal_pairs.funding_goal": {"$ne": funding_goal}},
            {"$push": {"show_goal_pairs": {"funding_goal": funding_goal}}},
        )
        return bool(result.modified_count)

    async def bind_trigger_goal(self, session_id: str, viewer_id: str, goal_id: str) -> bool:
        path = f"exclusive_goal_pairs.{viewer_id}"
        result = await self._col.update_one(
            {
                "_id": session_id,
                f"{path}.trigger_exclusive_goal": {"$ne": goal_id},
                # Only a pair whose request is over, and whose exclusive session (if it was
                # agreed) is over too, may be replaced by a new request.
                "$or": [
                    {path: {"$exists": False}},
                    {
                        f"{path}.trigger_exclusive_goal_ended": {"$ne": None},
                        f"{path}.trigger_exclusive_goal_agreed": None,
                    },
                    {f"{path}.exclusive_goal_ended": {"$ne": None}},
                ],
            },
            {"$set": {path: pair_doc(ExclusiveGoalPair(trigger_exclusive_goal=goal_id))}},
        )
        return bool(result.modified_count)

    async def set_funding_ended(
        self, session_id: str, index: int, funding_goal: str, at: datetime, funded: bool = False
    ) -> bool:
        pair = f"show_goal_pairs.{index}"
        result = await self._col.update_one(
            {
                "_id": session_id,
                f"{pair}.funding_goal": funding_goal,
                f"{pair}.funding_ended": None,
            },
            {"$set": {f"{pair}.funding_ended": at, f"{pair}.funded": funded}},
        )
        return bool(result.modified_count)

    async def set_show_goal(
        self, session_id: str, index: int, funding_goal: str, show_goal: str
    ) -> bool:
        pair = f"show_goal_pairs.{index}"
        result = await self._col.update_one(
            {"_id": session_id, f"{pair}.funding_goal": funding_goal, f"{pair}.show_goal": None},
            {"$set": {f"{pair}.show_goal": show_goal}},
        )
        return bool(result.modified_count)

    async def set_show_ended(
        self, session_id: str, index: int, show_goal: str, at: datetime
    ) -> bool:
        pair = f"show_goal_pairs.{index}"
        result = await self._col.update_one(
            {"_id": session_id, f"{pair}.show_goal": show_goal, f"{pair}.show_ended": None},
            {"$set": {f"{pair}.show_ended": at}},
        )
        return bool(result.modified_count)

    async def set_trigger_goal_ended(
        self, session_id: str, viewer_id: str, goal_id: str, at: datetime, *, agreed: bool = False
    ) -> bool:
        path = f"exclusive_goal_pairs.{viewer_id}"
        ended = {f"{path}.trigger_exclusive_goal_ended": at}
        if agreed:
            ended[f"{path}.trigger_exclusive_goal_agreed"] = at
        result = await self._col.update_one(
            {
                "_id": session_id,
                f"{path}.trigger_exclusive_goal": goal_id,
                f"{path}.trigger_exclusive_goal_ended": None,
            },
            {"$set": ended},
        )
        if result.modified_count:
            return True
        # goal.ended overtook goal.created: start the pair already ended, so the
        # cooldown still applies; the late bind then finds its goal there.
        started = ExclusiveGoalPair(
            trigger_exclusive_goal=goal_id,
            trigger_exclusive_goal_ended=at,
            trigger_exclusive_goal_agreed=at if agreed else None,
        )
        result = await self._col.update_one(
            {"_id": session_id, path: {"$exists": False}}, {"$set": {path: pair_doc(started)}}
        )
        return bool(result.modified_count)

    async def start_exclusive(
        self, session_id: str, viewer_id: str, *, trigger_goal: str, exclusive_goal: str
    ) -> bool:
        path = f"exclusive_goal_pairs.{viewer_id}"
        result = await self._col.update_one(
            {
                "_id": session_id,
                f"{path}.trigger_exclusive_goal": trigger_goal,
                f"{path}.exclusive_goal": None,
            },
            {
                "$set": {
                    f"{path}.exclusive_goal": exclusive_goal,
                    "status": {"preset": "sd", "exclusive_to": viewer_id},
                }
            },
        )
        return bool(result.modified_count)

    async def end_exclusive(
        self, session_id: str, viewer_id: str, exclusive_goal: str, at: datetime
    ) -> bool:
        path = f"exclusive_goal_pairs.{viewer_id}"
        result = await self._col.update_one(
            {
                "_id": session_id,
                f"{path}.exclusive_goal": exclusive_goal,
                f"{path}.exclusive_goal_ended": None,
            },
            {"$set": {f"{path}.exclusive_goal_ended": at}},
        )
        # Separate, and guarded by the viewer, so it is safe to repeat and never resets a
        # later exclusive session of another viewer.
        await self._col.update_one(
            {"_id": session_id, "status.exclusive_to": viewer_id},
            {"$set": {"status": {"preset": "hd", "exclusive_to": None}}},
        )
        return bool(result.modified_count)


def to_doc(session: Session) -> dict[str, Any]:
    doc = session.model_dump(exclude={"session_id"})
    return {"_id": session.session_id, **doc}


def from_doc(doc: dict[str, Any]) -> Session:
    return Session.model_validate({**doc, "session_id": doc["_id"]})


def pair_doc(pair: ExclusiveGoalPair) -> dict[str, Any]:
    return pair.model_dump()
