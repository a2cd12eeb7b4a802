"""Due lifecycle tasks in MongoDB (collection `goal_tasks`): faust has no delayed delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument

from goal_service.domain.goal import utc_ms

Doc = dict[str, Any]


class MongoTasks:
    def __init__(self, db: Any) -> None:
        self._c = db["goal_tasks"]

    async def ensure_indexes(self) -> None:
        await self._c.create_index([("status", 1), ("due_at", 1)])

    async def schedule(
        self,
        task_id: str,
        *,
        goal_id: str,
        due_at: datetime,
        kind: str = "deactivate_goal",
        filter: Doc | None = None,
    ) -> None:
        due = utc_ms(due_at)
        # $setOnInsert: a redelivered goal.created never revives a task already done.
        await self._c.update_one(
            {"_id": task_id},
            {
                "$setOnInsert": {
                    "goal_id": goal_id,
                    "kind": kind,
                    "filter": filter,
                    "due_at": due,
                    "status": "pending",
                    "lease_until": due,
                    "attempts": 0,
                }
            },
            upsert=True,
        )

    async def claim_due(self, *, now: datetime, lease_until: datetime) -> Doc | None:
        now = utc_ms(now)
        return await self._c.find_one_and_update(  # type: ignore[no-any-return]
            {"status": "pending", "due_at": {"$lte": now}, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": utc_ms(lease_until)}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def complete(self, task_id: str, *, lease_until: datetime, now: datetime) -> bool:
        # Only the holder of this lease may close the task.
        result = await self._c.update_one(
            {"_id": task_id, "status": "pending", "lease_until": utc_ms(lease_until)},
            {"$set": {"status": "done", "done_at": utc_ms(now)}},
        )
        return bool(result.modified_count)
