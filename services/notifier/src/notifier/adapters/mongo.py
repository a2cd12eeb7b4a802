"""MongoDB repositories: published-event marks, channel states, the user read model."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from notifier.domain.channel_state import ChannelState
from notifier.domain.channels import UserProfile
from service_kit.mongo import micros, upsert_if_newer


class MongoPublishedEvents:
    """`published_events`: `_id` = "{event_id}:{receiver}"."""

    def __init__(self, db: Any) -> None:
        self._coll = db["published_events"]

    async def seen(self, key: str) -> bool:
        return await self._coll.find_one({"_id": key}, {"_id": 1}) is not None

    async def record(self, key: str, *, at: datetime) -> None:
        # Another delivery of the same event may have recorded it first.
        with suppress(DuplicateKeyError):
            await self._coll.insert_one({"_id": key, "at": at})


class MongoChannelStates:
    """`channel_state`: one document per streamer (`_id`), replaced whole under a `rev` check."""

    def __init__(self, db: Any) -> None:
        self._coll = db["channel_state"]

    async def load(self, streamer_id: str) -> ChannelState:
        doc = await self._coll.find_one({"_id": streamer_id})
        if doc is None:
            return ChannelState(streamer_id)
        return ChannelState(
            streamer_id=streamer_id,
            goals=doc.get("goals", {}),
            recent_ended=tuple(doc.get("recent_ended", ())),
            updated_at=doc.get("updated_at"),
            rev=doc.get("rev", 0),
        )

    async def save(self, state: ChannelState) -> bool:
        body = {
            "goals": state.goals,
            "recent_ended": list(state.recent_ended),
            "updated_at": state.updated_at,
            "rev": state.rev + 1,
        }
        if state.rev == 0:
            try:
                await self._coll.insert_one({"_id": state.streamer_id, **body})
                return True
            except DuplicateKeyError:
                return False
        result = await self._coll.replace_one({"_id": state.streamer_id, "rev": state.rev}, body)
        return bool(result.matched_count == 1)


class MongoUsers:
    """`users`: the profile fields channel auth needs, newest `as_of` wins."""

    def __init__(self, db: Any) -> None:
        self._coll = db["users"]

    async def get(self, user_id: str) -> UserProfile | None:
        doc = await self._coll.find_one({"_id": user_id})
        if doc is None:
            return None
        return UserProfile(
            user_id=user_id,
            username=doc.get("username", ""),
            level=doc.get("level", 0),
            tags=tuple(doc.get("tags", ())),
        )

    async def upsert(self, profile: UserProfile, *, as_of: datetime) -> None:
        fields = {"username": profile.username, "level": profile.level, "tags": list(profile.tags)}
        await upsert_if_newer(self._coll, profile.user_id, fields, stamp=micros(as_of))
