"""Kafka, MongoDB and Sockudo in containers, for machines with a Docker engine.

    LSG_STACK=containers deploy/local/test.sh    (starts this in the background)
    python deploy/local/containers.py --env-file PATH

Starts the three with testcontainers, writes KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI,
PUSHER_HOST and PUSHER_PORT to PATH once all three answer, then stays alive until it is
terminated; the containers are removed on the way out, and by testcontainers' reaper
should this process be killed. Pusher credentials come from the environment (test.sh
sources env.sh first), so the services and the server agree on them.
"""

from __future__ import annotations

import argparse
import base64
import os
import shlex
import signal
import socket
import sys
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:8.0"
SOCKUDO_IMAGE = "sockudo/sockudo:latest"
SOCKUDO_PORT = 6001


def free_port() -> int:
    """A host port nobody listens on now (Kafka must advertise its host port up front)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """KEY=value lines a shell can source; written whole or not at all (test.sh polls for it)."""
    text = "".join(f"{key}={shlex.quote(value)}\n" for key, value in values.items())
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def stack_env(kafka_bootstrap: str, mongo: Any, sockudo: Any) -> dict[str, str]:
    """What the services and the test fixtures need to reach the three containers."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo.get_connection_url(),
        "PUSHER_HOST": sockudo.get_container_host_ip(),
        "PUSHER_PORT": str(sockudo.get_exposed_port(SOCKUDO_PORT)),
    }


def kafka_container(image: str) -> tuple[Any, str]:
    """One KRaft broker+controller from the official image; returns it and its bootstrap."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    port = free_port()
    container = DockerContainer(image)
    host = container.get_docker_client().host()
    container.with_bind_ports(9092, port).with_envs(
        CLUSTER_ID=base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
        KAFKA_NODE_ID="1",
        KAFKA_PROCESS_ROLES="broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
        KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
        KAFKA_LISTENERS="PLAINTEXT://:9092,CONTROLLER://:9093",
        KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://{host}:{port}",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
        # Topics come from schemas/ (stack.sh runs ensure-topics).
        KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
    ).waiting_for(LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(120))
    return container, f"{host}:{port}"


def sockudo_container(image: str, env: Mapping[str, str]) -> Any:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import HttpWaitStrategy

    app_id = env["PUSHER_APP_ID"]
    return (
        DockerContainer(image)
        .with_exposed_ports(SOCKUDO_PORT)
        .with_envs(
            HOST="0.0.0.0",
            PORT=str(SOCKUDO_PORT),
            ADAPTER_DRIVER="local",
            CACHE_DRIVER="memory",
            QUEUE_DRIVER="memory",
            APP_MANAGER_DRIVER="memory",
            RATE_LIMITER_DRIVER="memory",
            RATE_LIMITER_API_MAX_REQUESTS="100000",
            RATE_LIMITER_WS_MAX_REQUESTS="10000",
            SOCKUDO_DEFAULT_APP_ID=app_id,
            SOCKUDO_DEFAULT_APP_KEY=env["PUSHER_KEY"],
            SOCKUDO_DEFAULT_APP_SECRET=env["PUSHER_SECRET"],
            SOCKUDO_DEFAULT_APP_ENABLED="true",
            SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES="false",
        )
        .waiting_for(HttpWaitStrategy(SOCKUDO_PORT, f"/up/{app_id}").with_startup_timeout(60))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", type=Path, required=True)
    parser.add_argument("--kafka-image", default=KAFKA_IMAGE)
    parser.add_argument("--mongo-image", default=MONGO_IMAGE)
    parser.add_argument("--sockudo-image", default=SOCKUDO_IMAGE)
    args = parser.parse_args(argv)
    missing = [k for k in ("PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET") if k not in os.environ]
    if missing:
        parser.error(f"set {', '.join(missing)} (source deploy/local/env.sh)")

    from testcontainers.community.mongodb import MongoDbContainer

    # SystemExit unwinds the ExitStack, which stops the containers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ExitStack() as running:
        running.callback(args.env_file.unlink, missing_ok=True)
        kafka, bootstrap = kafka_container(args.kafka_image)
        running.enter_context(kafka)
        mongo = running.enter_context(MongoDbContainer(args.mongo_image))
        sockudo = running.enter_context(sockudo_container(args.sockudo_image, os.environ))
        values = stack_env(bootstrap, mongo, sockudo)
        write_env_file(args.env_file, values)
        print(f"containers ready: {values}", file=sys.stderr, flush=True)
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
