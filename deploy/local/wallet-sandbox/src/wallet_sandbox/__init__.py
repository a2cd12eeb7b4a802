"""Stands in for the external wallet system: balances, escrow holds, signed callbacks."""
