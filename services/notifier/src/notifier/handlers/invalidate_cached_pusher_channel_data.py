from __future__ import annotations

from livestream_schemas.base import Message
from livestream_schemas.envelope import Envelope
from livestream_schemas.goals import GoalEnded, GoalSnapshot
from notifier.domain.channel_state import apply_goal
from notifier.domain.payloads import goal_view, streamer_of
from notifier.domain.ports import ChannelStates

# Two replicas may update one streamer's state at once (different goals, different
# partitions); the loser reloads and reapplies. A handful of rounds settles any real race.
MAX_ROUNDS = 5


async def invalidate_cached_pusher_channel_data(
    message: GoalSnapshot, *, envelope: Envelope, states: ChannelStates
) -> list[Message]:
    """Refresh the streamer's channel state with this goal's newest snapshot."""
    streamer = streamer_of(message)
    goal = goal_view(message)
    ended = isinstance(message, GoalEnded)
    for _ in range(MAX_ROUNDS):
        state = await states.load(streamer)
        updated = apply_goal(state, goal, ended=ended, at=envelope.occurred_at)
        if updated is None or await states.save(updated):
            return []
    raise RuntimeError(f"channel state of {streamer} kept changing; retry later")
