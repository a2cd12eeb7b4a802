"""Kafka, a MongoDB API and Sockudo in containers, through a Docker-compatible API.

    LSG_STACK=containers deploy/local/test.sh    (starts this in the background)
    python deploy/local/containers.py --env-file PATH [--images official|local]

Starts the three with testcontainers, writes KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI,
PUSHER_HOST and PUSHER_PORT to PATH once all three answer, then stays alive until it is
terminated; the containers are removed on the way out. Two sets of images, picked by
deploy/containers/engine.sh (LSG_IMAGES):

- official (a Docker engine): apache/kafka, mongo and sockudo/sockudo from Docker Hub, on
  mapped ports; testcontainers' reaper also removes them should this process be killed.
- local (podman, no registry): the images `deploy/containers/images.sh infra` built from
  what the native stack installs (Kafka jars, FerretDB with Debian's PostgreSQL in one
  container, Sockudo), on the host network at the native stack's ports. No reaper (its image cannot be pulled): leftovers of a killed run,
  found by their label, are removed before starting.

Pusher credentials and ports come from the environment (test.sh sources env.sh first), so
the services and the server agree on them.
"""

from __future__ import annotations

import argparse
import base64
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:8.0"
SOCKUDO_IMAGE = "sockudo/sockudo:latest"
SOCKUDO_PORT = 6001
HERE = Path(__file__).resolve().parent
LABEL = "livestream-goals.stack"


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


def sockudo_env(env: Mapping[str, str]) -> dict[str, str]:
    """Sockudo's settings, the native stack's own (env.sh's sockudo_env), from ENV's values."""
    out = subprocess.run(
        ["bash", "-c", 'source "$0" && sockudo_env', str(HERE / "env.sh")],
        capture_output=True,
        check=True,
        env=dict(env),
        text=True,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def sockudo_container(image: str, env: Mapping[str, str]) -> Any:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import HttpWaitStrategy

    settings = {**sockudo_env(env), "HOST": "0.0.0.0", "PORT": str(SOCKUDO_PORT)}
    path = f"/up/{env['PUSHER_APP_ID']}"
    return (
        DockerContainer(image)
        .with_exposed_ports(SOCKUDO_PORT)
        .with_envs(**settings)
        .waiting_for(HttpWaitStrategy(SOCKUDO_PORT, path).with_startup_timeout(60))
    )


def official_stack(running: ExitStack, args: argparse.Namespace) -> dict[str, str]:
    """Docker Hub's images on mapped ports; returns what the services need to reach them."""
    from testcontainers.community.mongodb import MongoDbContainer

    kafka, bootstrap = kafka_container(args.kafka_image)
    running.enter_context(kafka)
    mongo = running.enter_context(MongoDbContainer(args.mongo_image))
    sockudo = running.enter_context(sockudo_container(args.sockudo_image, os.environ))
    return stack_env(bootstrap, mongo, sockudo)


def versions() -> dict[str, str]:
    """KAFKA_VERSION=... lines of versions.sh: the local images are tagged with them."""
    lines = (HERE / "versions.sh").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


# images.sh's tag suffix per image: FerretDB's tells its PostgreSQL image from the SQLite one.
LOCAL_TAG_SUFFIX = {"ferretdb": "-postgresql"}


def host_container(name: str, label: str, command: list[str] | None = None) -> Any:
    """One of images.sh's infrastructure images on the host network, labelled for cleanup."""
    from testcontainers.core.container import DockerContainer

    version = versions()[f"{name.upper()}_VERSION"] + LOCAL_TAG_SUFFIX.get(name, "")
    container = DockerContainer(f"livestream-goals/{name}:{version}")
    if command:
        container.with_command(command)
    return container.with_kwargs(network_mode="host", labels={LABEL: label})


def wait_for_port(container: Any, port: int, seconds: float = 300) -> None:
    """Until something accepts on 127.0.0.1:PORT; fails early if the container exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        container.reload()
        if container.status not in ("created", "running"):
            break
        time.sleep(0.5)
    raise TimeoutError(f"{container.image}: nothing on port {port}\n{container.get_logs()}")


def remove_leftovers(label: str) -> None:
    """Containers of an earlier run with this label (killed before it could remove them)."""
    import docker

    client = docker.from_env()
    for leftover in client.containers.list(all=True, filters={"label": f"{LABEL}={label}"}):
        leftover.remove(force=True)
    client.close()


def local_stack(running: ExitStack, env: Mapping[str, str]) -> dict[str, str]:
    """images.sh's images on the host network, at the ports env.sh gives the native stack."""
    label = env.get("LSG_PORT_OFFSET", "0")
    remove_leftovers(label)
    kafka_port, ferretdb_port, sockudo_port = (
        int(env[k]) for k in ("KAFKA_PORT", "FERRETDB_PORT", "SOCKUDO_PORT")
    )
    kafka = host_container("kafka", label, [str(kafka_port), env["KAFKA_CONTROLLER_PORT"]])
    # FerretDB listens once its PostgreSQL (env.sh's POSTGRES_PORT, loopback) is ready.
    ferretdb = host_container("ferretdb", label, [str(ferretdb_port), env["POSTGRES_PORT"]])
    sockudo = host_container("sockudo", label).with_envs(**sockudo_env(env))
    started = [(running.enter_context(kafka), kafka_port)]
    started += [(running.enter_context(ferretdb), ferretdb_port)]
    started += [(running.enter_context(sockudo), sockudo_port)]
    # testcontainers' own wait strategies look for mapped ports, which host networking lacks.
    for container, port in started:
        wait_for_port(container, port)
    return {
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
        "MONGODB_URI": f"mongodb://127.0.0.1:{ferretdb_port}/",
        "PUSHER_HOST": "127.0.0.1",
        "PUSHER_PORT": str(sockudo_port),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", type=Path, required=True)
    parser.add_argument(
        "--images", choices=("official", "local"), default=os.environ.get("LSG_IMAGES", "official")
    )
    parser.add_argument("--kafka-image", default=KAFKA_IMAGE)
    parser.add_argument("--mongo-image", default=MONGO_IMAGE)
    parser.add_argument("--sockudo-image", default=SOCKUDO_IMAGE)
    args = parser.parse_args(argv)
    missing = [k for k in ("PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET") if k not in os.environ]
    if missing:
        parser.error(f"set {', '.join(missing)} (source deploy/local/env.sh)")

    # SystemExit unwinds the ExitStack, which stops the containers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    with ExitStack() as running:
        running.callback(args.env_file.unlink, missing_ok=True)
        if args.images == "local":
            values = local_stack(running, os.environ)
        else:
            values = official_stack(running, args)
        write_env_file(args.env_file, values)
        took = time.monotonic() - started
        print(f"containers ready in {took:.0f}s: {values}", file=sys.stderr, flush=True)
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
