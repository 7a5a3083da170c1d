"""A wall-clock limit on reading one document, in the main thread or in a worker thread."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import DocumentTimeout


@contextmanager
def document_alarm(seconds: float) -> Iterator[Callable[[], None]]:
    """A per-document wall-clock limit: SIGALRM on the main thread, else an exception sent to the thread.

    Dask runs tasks in worker threads, where signals cannot reach; there a timer
    raises the same ``DocumentTimeout`` in the reading thread (between bytecodes).
    """
    if seconds <= 0:
        yield lambda: None
        return
    message = f"reading took longer than {seconds:g} s"
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        def on_alarm(signum: int, frame: Any) -> None:
            raise DocumentTimeout(message)

        previous = signal.signal(signal.SIGALRM, on_alarm)
        reset = lambda: signal.setitimer(signal.ITIMER_REAL, seconds)  # noqa: E731
        reset()
        try:
            yield reset
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    with _thread_alarm(seconds, message) as reset:
        yield reset


@contextmanager
def _thread_alarm(seconds: float, message: str) -> Iterator[Callable[[], None]]:
    import ctypes

    thread_id = threading.get_ident()
    timeout = type("DocumentTimeout", (DocumentTimeout,), {"__init__": lambda self: DocumentTimeout.__init__(
        self, message)})
    lock = threading.Lock()
    state: dict[str, Any] = {"timer": None, "generation": 0, "active": True}

    def fire(generation: int) -> None:
        with lock:
            if state["active"] and state["generation"] == generation:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(timeout))

    def reset() -> None:
        with lock:
            if state["timer"] is not None:
                state["timer"].cancel()
            state["generation"] += 1
            timer = threading.Timer(seconds, fire, args=(state["generation"],))
            timer.daemon = True
            state["timer"] = timer
            timer.start()

    reset()
    try:
        yield reset
    finally:
        with lock:
            state["active"] = False
            state["timer"].cancel()
