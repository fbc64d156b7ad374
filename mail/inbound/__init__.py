"""Delivery events the mail providers send back (django-anymail's `webhooks/<esp>.py` is the model):
one module per provider verifies its signature and maps its events to this service's own kinds
(`base.Delivery`); `base.receive` stores each event once and acts on it the same way whatever sent it.
Outbound hooks, the store's exports to its own address, are `core.export_hooks`."""
