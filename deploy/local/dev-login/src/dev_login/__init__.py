"""Local-only development login for the live page behind the local gateway."""
