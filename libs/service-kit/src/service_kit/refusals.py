"""A command a receiver must never carry out: dead-lettered at once, counted, alerted on."""

from __future__ import annotations


class Refused(Exception):
    """Raised by a handler for a message it will never act on, however often it is retried.

    `reason` is a short fixed word (it becomes a metric label and the dead letter's reason),
    never text taken from the message.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
