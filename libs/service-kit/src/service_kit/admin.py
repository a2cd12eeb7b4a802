"""Operator commands: `python -m service_kit.admin ensure-topics [--timeout S]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from livestream_schemas.topics import all_topic_specs
from service_kit.settings import KitSettings


async def ensure_topics(bootstrap: str, timeout_s: float) -> list[str]:
    """Create every declared topic that is missing; returns the names created."""
    deadline = time.monotonic() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="lsg-admin")
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(
                    spec.name,
                    num_partitions=spec.partitions,
                    replication_factor=1,
                    topic_configs={"retention.ms": str(spec.retention_hours * 3600 * 1000)},
                )
                for spec in all_topic_specs()
                if spec.name not in existing
            ]
            if missing:
                await admin.create_topics(missing)
            return [t.name for t in missing]
        except (KafkaError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="service_kit.admin")
    parser.add_argument("command", choices=["ensure-topics"])
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    settings = KitSettings()
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap_servers, args.timeout))
    print(f"topics ready ({len(created)} created)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
