"""The only place that builds adapters and wires receivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service_kit.consumer import Handler
from service_kit.container import BaseContainer
from session_service.config import Settings


@dataclass
class Container(BaseContainer):
    settings: Settings


def bootstrap(settings: Settings) -> Container:
    return Container(settings)


def routes(c: Container) -> dict[str, Sequence[Handler]]:
    """Message type -> its receivers in this service, in order."""
    return {}
