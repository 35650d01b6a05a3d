import pytest
from django.core.cache import cache

from tests.channel_fakes import APPS, FakePlatforms


@pytest.fixture
def fake_platforms(settings):
    """WeCom, DingTalk and Feishu faked on 127.0.0.1, the company apps pointed at it."""
    fake = FakePlatforms().start()
    settings.CHANNEL_API_BASE = {p: f"{fake.url}/{p}" for p in ("wecom", "dingtalk", "feishu")}
    settings.CHANNEL_API_BASE["dingtalk_api"] = f"{fake.url}/dingtalk-api"
    settings.CHANNEL_APPS = APPS
    settings.SITE_URL = "https://jiedai.example.com"
    cache.clear()
    yield fake
    fake.stop()
    cache.clear()
