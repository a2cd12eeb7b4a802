"""The stack's parts as the chaos suite stops and starts them: whatever deploy/local/stack.sh
started here, and, on the containers path, the infrastructure containers
deploy/local/containers.py started for this checkout on the host network (so a container
stopped and started again listens on the same port)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy/local/stack.sh"
LABEL = "livestream-goals.stack"  # containers.py's cleanup label; its value is the port offset
PORTS = {"kafka": "KAFKA_PORT", "ferretdb": "FERRETDB_PORT", "sockudo": "SOCKUDO_PORT"}
READY_WITHIN_S = 240.0  # a loaded machine once took over 90 s to start Kafka


async def stack_sh(*args: str) -> None:
    proc = await asyncio.create_subprocess_exec(str(STACK), *args, cwd=ROOT)
    if await proc.wait() != 0:
        raise RuntimeError(f"stack.sh {' '.join(args)} failed")


async def _launched() -> set[str]:
    proc = await asyncio.create_subprocess_exec(
        str(STACK), "running", cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return set(out.decode().split())


def component_of(container: Any) -> str | None:
    """`kafka` for `localhost/livestream-goals/kafka:4.1.1`; None for a container of another
    kind, or one on mapped ports (Docker gives it new ports when it starts again)."""
    if container.attrs.get("HostConfig", {}).get("NetworkMode") != "host":
        return None
    for tag in container.image.tags:
        name = tag.rsplit(":", 1)[0].rsplit("/", 1)[-1]
        if name in PORTS:
            return name
    return None


def _containers() -> dict[str, Any]:
    """This checkout's infrastructure containers, by component; none without a container
    engine in the environment (the native stack)."""
    if "DOCKER_HOST" not in os.environ:
        return {}
    import docker

    client = docker.from_env()
    offset = os.environ.get("LSG_PORT_OFFSET", "0")
    found = client.containers.list(all=True, filters={"label": f"{LABEL}={offset}"})
    return {name: c for c in found if (name := component_of(c)) is not None}


async def managed() -> set[str]:
    """The parts that can be faulted here (a stack started elsewhere cannot be)."""
    running = {
        n for n, c in (await asyncio.to_thread(_containers)).items() if c.status == "running"
    }
    return await _launched() | running


def _wait_for_port(port: int, container: Any) -> None:
    """Until something accepts on the port again (containers.py's wait, for a container of the
    Docker SDK rather than of testcontainers)."""
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        container.reload()
        if container.status != "running":
            break
        time.sleep(0.5)
    raise RuntimeError(f"{container.image}: nothing on port {port}\n{container.logs()[-2000:]!r}")


def _stop_container(name: str) -> None:
    _containers()[name].stop(timeout=10)


def _start_container(name: str, container: Any) -> None:
    container.start()
    _wait_for_port(int(os.environ[PORTS[name]]), container)


async def stop(component: str) -> None:
    if component in await _launched():
        await stack_sh("stop-only", component)
    else:
        await asyncio.to_thread(_stop_container, component)


async def start(component: str) -> None:
    """Started and ready, or RuntimeError."""
    if (container := (await asyncio.to_thread(_containers)).get(component)) is not None:
        await asyncio.to_thread(_start_container, component, container)
    else:
        await stack_sh("start-only", component)
