"""What the wallet-adapter will never do, whoever managed to write the command.

Our producers only ever put coins into escrow (no destination, never forced), for amounts a
price can reach, under transaction ids they minted, and only settle those holds. Anything
else on wallet.commands (transfer, refund, release, settle) is a bug or someone who reached the bus: it is refused (dead-lettered
at once with the reason, counted in lsg_commands_refused_total, alerted on), never executed.
"""

from __future__ import annotations

from livestream_schemas.commands import Settle, Transfer
from livestream_schemas.transactions import is_our_hold
from service_kit.refusals import Refused


def check_transfer(message: Transfer, *, max_amount: int) -> None:
    if message.to_user_id is not None:
        raise Refused("destination_not_allowed", "transfers go into escrow only")
    if message.forced:
        raise Refused("forced_not_allowed", "a transfer is never forced past the balance")
    if not message.escrow_user_id:
        raise Refused("no_escrow_beneficiary", "an escrow transfer names its beneficiary")
    if any(tag.startswith("escrow::") for tag in message.tags):
        # The adapter writes the escrow tag from escrow_user_id; a ready-made one could name
        # any beneficiary.
        raise Refused("escrow_tag_not_allowed", "the escrow tag is the adapter's to add")
    if not 1 <= message.amount <= max_amount:
        raise Refused("amount_out_of_bounds", f"amount must be between 1 and {max_amount}")
    check_hold_id(message.transaction_id)


def check_settle(message: Settle, *, max_amount: int) -> None:
    """A split of one of our holds, releasing no more than any transfer could have held."""
    check_hold_id(message.transaction_id)
    if message.release_amount > max_amount:
        raise Refused("amount_out_of_bounds", f"release_amount must be at most {max_amount}")


def check_hold_id(transaction_id: str) -> None:
    """A hold our services created (transfer, refund and release name it alike)."""
    if not is_our_hold(transaction_id):
        raise Refused("foreign_transaction_id", "not a hold our services created")
