"""Delete what only grows once it is old enough: TTL indexes where the server has them,
a leased timer where it has not (FerretDB 1.x answers a TTL option with NotImplemented).

Each service lists its rules (collection, date field, how long to keep, an optional filter
such as `{"status": "done"}`); every worker runs the timer, and a lease in the service's
`leases` collection lets one of them do the deleting per interval.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError, OperationFailure

log = logging.getLogger(__name__)

NOT_IMPLEMENTED = 238  # FerretDB's answer to an index option it does not have
LEASE_ID = "retention"


@dataclasses.dataclass(frozen=True)
class Rule:
    collection: str
    field: str  # a date; documents older than keep_s by it go
    keep_s: float
    only: dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. {"status": "done"}


class Retention:
    def __init__(self, db: Any, rules: list[Rule], *, owner: str, lease_s: float) -> None:
        self._db = db
        self._rules = rules
        self._owner = owner
        self._lease_s = lease_s
        self._by_timer: list[Rule] = list(rules)

    async def ensure_indexes(self) -> None:
        """A TTL index per rule where the server has them; an index for the timer otherwise."""
        self._by_timer = []
        for rule in self._rules:
            coll = self._db[rule.collection]
            options: dict[str, Any] = {"expireAfterSeconds": int(rule.keep_s)}
            if rule.only:
                options["partialFilterExpression"] = rule.only
            try:
                await coll.create_index(rule.field, **options)
            except OperationFailure as exc:
                if exc.code != NOT_IMPLEMENTED:
                    raise
                await coll.create_index(rule.field)
                self._by_timer.append(rule)

    @property
    def by_timer(self) -> list[Rule]:
        """The rules the timer applies (no TTL index on this server)."""
        return list(self._by_timer)

    async def tick(self) -> None:
        await self.sweep(datetime.now(UTC))

    async def sweep(self, now: datetime) -> int:
        """Under the lease, delete what the TTL indexes would have; how many went."""
        if not self._by_timer or not await self._lease(now):
            return 0
        deleted = 0
        for rule in self._by_timer:
            cutoff = now - timedelta(seconds=rule.keep_s)
            query = {**rule.only, rule.field: {"$lt": cutoff}}
            deleted += (await self._db[rule.collection].delete_many(query)).deleted_count
        if deleted:
            log.info("retention deleted", extra={"fields": {"documents": deleted}})
        return deleted

    async def _lease(self, now: datetime) -> bool:
        until = now + timedelta(seconds=self._lease_s)
        try:
            result = await self._db["leases"].update_one(
                {"_id": LEASE_ID, "until": {"$lte": now}},
                {"$set": {"until": until, "owner": self._owner}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another worker holds it
        return bool(result.modified_count or result.upserted_id)
