"""Run an aiohttp application on a free local port in a background thread, for synchronous tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import TypeVar

from aiohttp import web

S = TypeVar("S", bound="ThreadedServer")


class ThreadedServer:
    """An aiohttp app served from its own thread and event loop; `url` is where it listens."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    def make_app(self) -> web.Application:
        """The aiohttp application to serve (subclasses add their routes)."""
        raise NotImplementedError

    async def on_stop(self) -> None:
        """Called in the server's loop before it shuts down (wake long polls)."""

    def start(self: S) -> S:
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")
        return self

    def stop(self) -> None:
        if self.loop and self._stop and self._thread and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1)
        await runner.setup()
        await web.SockSite(runner, self._sock).start()
        self._ready.set()
        await self._stop.wait()
        await self.on_stop()
        await runner.cleanup()
