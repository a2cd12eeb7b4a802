"""The partitions the lag probe and the chaos suite count come from the brokers' description."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition

from service_kit.lag import partitions


class DescribingAdmin:
    """Answers describe_topics as aiokafka does: one entry per topic, an error code on each."""

    def __init__(self, described: list[dict[str, Any]]) -> None:
        self.described = described
        self.asked: list[list[str]] = []

    async def describe_topics(self, topics: list[str]) -> list[dict[str, Any]]:
        self.asked.append(topics)
        return self.described


async def test_every_described_partition_of_every_topic_and_none_of_an_unknown_one() -> None:
    admin = DescribingAdmin(
        [
            {"topic": "a.dlq", "error_code": 0, "partitions": [{"partition": 0}, {"partition": 1}]},
            {"topic": "b.dlq", "error_code": 3, "partitions": []},  # unknown topic or partition
            {"topic": "c.dlq", "error_code": 0, "partitions": [{"partition": 0}]},
        ]
    )
    found = await partitions(admin, ("a.dlq", "b.dlq", "c.dlq"))  # type: ignore[arg-type]
    assert found == [
        TopicPartition("a.dlq", 0),
        TopicPartition("a.dlq", 1),
        TopicPartition("c.dlq", 0),
    ]
    assert admin.asked == [["a.dlq", "b.dlq", "c.dlq"]]
