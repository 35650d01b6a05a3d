"""Notifications: what the system tells people, in their language.

messages.py    texts kept as a message key with parameters, rendered in the reader's language
notify.py      the bell: one notification per recipient, emails and channel messages after commit
tasks.py       Celery tasks (names stay reception.send_...) and the sweeps that retry
heartbeats.py  when background jobs last ran (read by /health/)
channels/      WeCom, DingTalk and Feishu: configuration, adapters, the outbox
"""
