"""Run many booking calls at once over real database connections (one per thread), and sort the outcomes."""

import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections

from apps.appointments.services import SlotUnavailable


@dataclass
class Outcomes:
    ok: list = field(default_factory=list)
    refused: list[SlotUnavailable] = field(default_factory=list)
    other: list[ValidationError] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)

    @property
    def refusal_codes(self) -> Counter:
        return Counter(e.code for e in self.refused)


def race(jobs: list[Callable[[], object]], *, workers: int = 20) -> Outcomes:
    """Each of `workers` threads opens its own connection, waits for the others, then takes jobs until none is
    left; its connection is closed when it ends (PostgreSQL's connection limit is shared)."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    outcomes = Outcomes()
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def work():
        try:
            start.wait(timeout=30)
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = job()
                except SlotUnavailable as error:
                    with lock:
                        outcomes.refused.append(error)
                except ValidationError as error:
                    with lock:
                        outcomes.other.append(error)
                except BaseException as error:
                    with lock:
                        outcomes.crashed.append(error)
                else:
                    with lock:
                        outcomes.ok.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes
