"""Accounts, stores, members, keys and invitations (`core`'s identity)."""
