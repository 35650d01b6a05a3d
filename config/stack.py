"""Room on CPython's frame stack for a whole request, so rendering deep templates does not
thrash the interpreter's stack chunks.

CPython 3.11 and 3.12 keep the frames of Python functions in 16 KB chunks and free a chunk as
soon as the frame at its start returns. A request whose call depth goes back and forth across a
chunk's end (a template's loop whose rows render a few calls deeper than the loop itself) asks
the kernel for a chunk and gives it back on every crossing: an `mmap` and a `munmap` each time,
with page faults. CPython fixed it in 2026 (gh-142183, backported to 3.13 and 3.14); the
project runs on 3.11.

Measured (`make bench`'s CPU column, the approval queue of the 2,000-visit company, 2-core
machine): 57–68 ms of CPU with about 1,600 `mmap`/`munmap` pairs per request (`strace -c`),
against 43–48 ms before the decision card grew two template levels (issue 24); with this
middleware first, see docs/performance.md for the figures.

How: the rest of the request runs inside a call whose frame is large (it declares thousands of
local variables and uses none), so CPython gives that frame a 128 KB chunk of its own, and
every frame the request pushes after it fits in the same chunk: one allocation per request
instead of one per crossing. The frame's locals cost nothing to keep (they stay empty)."""

import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# 8,192 empty locals: a 64 KB frame, which CPython places at the start of a 128 KB chunk
# (chunk sizes double from 16 KB until the frame fits), leaving about 60 KB (7,500 slots) for
# the request's own frames; the deepest page uses well under 2,000.
HEADROOM_SLOTS = 8192


def _build_deep_call(slots: int) -> Callable:
    names = ", ".join(f"_{i}" for i in range(slots))
    source = (
        "def call_with_headroom(function, argument):\n"
        "    if False:\n"
        f"        {names} = ({'None, ' * slots})\n"
        "    return function(argument)\n"
    )
    namespace: dict = {}
    exec(compile(source, __name__, "exec"), namespace)  # noqa: S102 (fixed source, no input)
    return namespace["call_with_headroom"]


# Only where the interpreter has the chunked frame stack (CPython 3.11+); a plain call
# elsewhere.
if sys.implementation.name == "cpython" and sys.version_info >= (3, 11):
    call_with_headroom = _build_deep_call(HEADROOM_SLOTS)
else:  # pragma: no cover

    def call_with_headroom(function: Callable, argument: object) -> object:
        return function(argument)


class StackHeadroomMiddleware:
    """First in MIDDLEWARE: every later middleware, the view and the template run inside."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return call_with_headroom(self.get_response, request)
