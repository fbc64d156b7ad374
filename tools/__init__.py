"""Typed tools over the services: the only door from an agent (or an outside agent) to a service."""
