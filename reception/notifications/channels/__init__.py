"""Company messaging: notifications as cards in WeCom, DingTalk and Feishu.

Configuration is data (models.py: group robots, people's platform ids, routing rules by
notification kind); the company's own app credentials come from the environment
(settings.CHANNEL_APPS). `delivery.queue()` writes one ChannelMessage per message and channel
when a notification is created; Celery sends it after commit, the sweep retries what failed
or waited for a rate limit. One adapter per platform (base.py's ChannelAdapter, subclassed in
wecom.py, dingtalk.py and feishu.py) builds its card and speaks its API.
"""
