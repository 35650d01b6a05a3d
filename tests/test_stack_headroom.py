"""config/stack.py: a request runs in one chunk of CPython's frame stack, so call depth that
goes back and forth across a chunk's end does not ask the kernel for memory each time."""

import resource
import sys

import pytest
from django.conf import settings
from django.test import Client

from config.stack import HEADROOM_SLOTS, StackHeadroomMiddleware, call_with_headroom

needs_chunked_stack = pytest.mark.skipif(
    sys.implementation.name != "cpython" or sys.version_info < (3, 11),
    reason="only CPython 3.11+ keeps frames in chunks",
)


def _dive(depth: int) -> int:
    # A frame of some size (its locals), so a few dozen calls fill a 16 KB chunk.
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = depth
    b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = b8 = b9 = depth
    if depth:
        return _dive(depth - 1) + a0 - a9 + b0 - b9
    return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8


def _go_back_and_forth(_: object = None) -> int:
    # Every depth from 0 to 160, many times: the deepest calls cross at least one chunk's end
    # (a 16 KB chunk holds about 60 of these frames) wherever the caller starts.
    total = 0
    for _round in range(30):
        for depth in range(160):
            total += _dive(depth)
    return total


def _page_faults(function) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@needs_chunked_stack
def test_the_deep_call_declares_its_headroom():
    assert call_with_headroom.__code__.co_nlocals >= HEADROOM_SLOTS


@needs_chunked_stack
def test_inside_the_headroom_crossing_depths_costs_no_new_memory():
    _go_back_and_forth()  # warm: code objects specialised, nothing else allocated later
    outside = min(_page_faults(_go_back_and_forth) for _ in range(3))
    inside = min(
        _page_faults(lambda: call_with_headroom(_go_back_and_forth, None)) for _ in range(3)
    )
    # Outside, thousands of chunk allocations, each touching a fresh page; inside, one chunk.
    assert outside > 1000, outside
    assert inside < outside / 10, (inside, outside)


def test_the_middleware_comes_first_and_passes_the_response_through(db):
    assert settings.MIDDLEWARE[0] == "config.stack.StackHeadroomMiddleware"
    assert Client().get("/accounts/login/").status_code == 200
    seen = []
    middleware = StackHeadroomMiddleware(lambda request: seen.append(request) or "response")
    assert middleware("request") == "response"
    assert seen == ["request"]
