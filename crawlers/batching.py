"""Micro-batching for item pipelines: many items, one call.

A model's per-call overhead (a scikit-learn Pipeline with several vectorisers and calibrated
estimators) is ten times its per-document cost, so items wait up to ``max_wait`` seconds to be
processed together, in a thread, off the reactor.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    def __init__(self, process: Callable[[list[T]], Sequence[R]], batch_size: int = 64, max_wait: float = 0.5) -> None:
        self.process = process
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.pending: list[tuple[T, asyncio.Future[R]]] = []
        self.timer: asyncio.TimerHandle | None = None

    async def submit(self, value: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self.pending.append((value, future))
        if len(self.pending) >= self.batch_size:
            self._start_batch()
        elif self.timer is None:
            self.timer = loop.call_later(self.max_wait, self._start_batch)
        return await future

    def _start_batch(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.pending = self.pending, []
        if batch:
            asyncio.ensure_future(self._run(batch))

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await asyncio.to_thread(self.process, [value for value, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every waiting item gets the error, none hangs
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results):
            if not future.done():
                future.set_result(result)
