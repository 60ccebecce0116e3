"""Background jobs of one app (imports, simulations): their state, a progress line, the result.

Each app keeps its own :class:`JobStore` in its :class:`~netline.web.context.AppContext`, so two
apps in one process (as in the tests) never see each other's jobs. A job runs in a daemon thread;
the page that started it polls its state.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netline.errors import NetlineError

#: Finished jobs kept per app (the oldest are forgotten first).
MAX_JOBS = 200


@dataclass
class Job:
    """One background job.

    Attributes
    ----------
    id : str
        Random identifier (the job's address).
    kind : str
        ``import`` or ``simulation``.
    label : str
        What it works on (a file name, a patient id), shown on the page.
    owner : str
        The user who started it; only they (or an administrator) see it.
    state : str
        ``queued``, ``running``, ``done`` or ``refused``.
    progress : str
        One line saying what it is doing now.
    report : str
        The plain-text report when done.
    error : str
        Why it was refused (a :class:`~netline.errors.NetlineError` message).
    result : object
        The result object when done (e.g. a patient simulation view).
    """

    id: str
    kind: str
    label: str
    owner: str
    state: str = "queued"
    progress: str = "waiting to start"
    report: str = ""
    error: str = ""
    result: Any = None

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done or refused)."""
        return self.state in ("done", "refused")


@dataclass
class JobStore:
    """The background jobs of one app."""

    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, kind: str, label: str, owner: str) -> Job:
        """Register a queued job."""
        job = Job(uuid.uuid4().hex, kind, label, owner)
        with self.lock:
            while len(self.jobs) >= MAX_JOBS:
                oldest = next((k for k, j in self.jobs.items() if j.finished), None)
                if oldest is None:
                    break
                del self.jobs[oldest]
            self.jobs[job.id] = job
        return job

    def unfinished(self, kind: str, label: str, owner: str) -> Job | None:
        """Return a queued or running job of this kind, label and owner, if there is one."""
        with self.lock:
            return next(
                (
                    j
                    for j in self.jobs.values()
                    if (j.kind, j.label, j.owner) == (kind, label, owner) and not j.finished
                ),
                None,
            )

    def get(self, job_id: str, kind: str) -> Job | None:
        """Return the job of that id and kind, if this app has it."""
        with self.lock:
            job = self.jobs.get(job_id)
        return job if job is not None and job.kind == kind else None

    def start(
        self, job: Job, work: Callable[[Job], None], refused: str = "nothing was changed"
    ) -> None:
        """Run ``work(job)`` in a daemon thread; an error marks the job refused with ``refused``."""

        def run() -> None:
            job.state = "running"
            try:
                work(job)
            except NetlineError as error:
                job.state, job.error = "refused", str(error)
                job.progress = refused
                return
            except Exception as error:  # a bug must not leave the page spinning
                job.state, job.error = "refused", f"internal error ({type(error).__name__})"
                job.progress = refused
                return
            job.state = "done"

        threading.Thread(target=run, name=f"netline-{job.kind}-{job.id[:8]}", daemon=True).start()
