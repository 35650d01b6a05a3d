"""Outgoing webhooks: subscriptions per event kind, signed per Standard Webhooks, delivered
from an outbox with retries (docs/api.md). The kinds are registered by the apps that emit them
(`kinds.register_event_kinds`), so reception names none of what they are about."""
