"""Start or join a Dask cluster, and tell what went wrong when its workers die: the one-line
errors of a cluster that ran out of memory, and a watchdog for a cluster with no running
worker left."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from pod_detect.errors import ClusterError, ConfigError, PodDetectError


def start_cluster(scheduler: str | None, workers: int | None = None,
                  memory_limit: str | None = None) -> Any:
    """A distributed client: of the scheduler at ``scheduler``, else of a local cluster of
    ``workers`` processes (default: one per core), one thread each, no dashboard.

    Raises
    ------
    ConfigError
        When Dask is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("the Dask engine needs Dask: pip install 'pod-detect[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
    import logging

    import dask
    from dask.utils import parse_bytes
    from distributed.system import MEMORY_LIMIT

    count = workers or os.cpu_count() or 1
    try:
        limit = (parse_bytes(memory_limit) if memory_limit and memory_limit != "auto"
                 else MEMORY_LIMIT // count)
    except ValueError:
        raise ConfigError(f"worker memory {memory_limit!r} is not a size (e.g. 1GB, 1.5GiB, "
                          "512MB)") from None
    if limit <= 0:
        raise ConfigError(f"worker memory {memory_limit!r} must be more than 0")
    # A peer-to-peer shuffle buffers up to 1 GiB per worker by default, outside the memory
    # Dask can spill, and a scan runs several at once: a tenth of the worker's limit each.
    dask.config.set({"distributed.p2p.comm.buffer": max(limit // 10, 16 * 2**20),
                     "distributed.p2p.storage.buffer": max(limit // 20, 8 * 2**20)})
    # Arrow's own allocator keeps freed memory for reuse, which a worker reading file after
    # file under a memory limit cannot afford; the system allocator gives it back.
    cluster = LocalCluster(n_workers=count, threads_per_worker=1,
                           dashboard_address=None, memory_limit=memory_limit or "auto",
                           processes=True, silence_logs=logging.CRITICAL,
                           env={"ARROW_DEFAULT_MEMORY_POOL": "system"})
    return Client(cluster)


#: What helps when workers run out of memory, the end of every cluster error.
ADVICE = ("give each worker more memory, run fewer workers with more memory each, or split "
          "the input into smaller files")


def _limit(memory_limit: str | None) -> str:
    return f" (--worker-memory {memory_limit})" if memory_limit else ""


#: What the tasks of a Dask key prefix do, for the message when their workers keep dying.
TASKS = {"_summarise": "while reading a file", "_canonical": "while reading and coding a file"}


def lost_worker(error: Exception, memory_limit: str | None) -> ClusterError | None:
    """The one-line error for ``error`` when it says a task killed every worker that ran it
    (distributed's ``KilledWorker``), else None."""
    if type(error).__name__ != "KilledWorker":
        return None
    key = str(error.args[0]) if error.args else ""
    prefix = key.strip("('\"").split("-", 1)[0]
    what = TASKS.get(prefix, f"in a reduce step ({prefix})" if prefix else "in a task")
    return ClusterError(f"Dask workers kept dying {what}, most often because it needed more "
                        f"memory than a worker has{_limit(memory_limit)}; {ADVICE}")


class Watchdog:
    """Watches a cluster's workers while a scan runs: counts the workers that left (died,
    most often of their memory limit, and were restarted under a new address), and with a
    ``patience`` closes ``client`` once no worker has been running for that many seconds,
    so that the scan ends (with :attr:`message`) instead of waiting for ever when every
    worker died and was not restarted, or every worker is paused (Dask pauses a worker at
    80% of its memory limit, and memory no task holds is never spilled). A restarted worker
    is back within seconds, a worker that spills resumes. Give no ``patience`` for a remote
    cluster, which may scale to zero on purpose.

    ``workers`` gives the cluster's workers as ``{address: status}`` (default: asks the
    scheduler).
    """

    message = ("the local Dask cluster had no running worker for two minutes (its workers "
               "were paused near their memory limit, or died and were not started again); "
               "give each worker more memory (--worker-memory), run fewer workers with more "
               "memory each, or split the input into smaller files")

    def __init__(self, client: Any, patience: float | None = 120.0, every: float = 2.0,
                 workers: Any = None) -> None:
        self.client = client
        self.patience = patience
        self.every = every
        self.fired = False
        self.lost = 0
        self._seen: set[str] = set()
        self._workers = workers or (lambda: {
            address: info.get("status")
            for address, info in client.scheduler_info(n_workers=-1)["workers"].items()})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="pod-detect-watchdog",
                                        daemon=True)

    def __enter__(self) -> Watchdog:
        self._look()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def running(self) -> int:
        """Workers running now (not paused, not closing)."""
        return self._look()

    def _look(self) -> int:
        try:
            workers = dict(self._workers())
        except Exception:  # a cluster shutting down: its state is no longer readable
            workers = {}
        self.lost += len(self._seen - set(workers))
        self._seen = set(workers)
        return sum(status == "running" for status in workers.values())

    def _watch(self) -> None:
        alone_since: float | None = None
        while not self._stop.wait(self.every):
            now = time.monotonic()
            if self._look():
                alone_since = None
                continue
            alone_since = now if alone_since is None else alone_since
            if self.patience is not None and now - alone_since >= self.patience:
                self.fired = True
                self.client.close()
                return

    def failure(self, error: BaseException, memory_limit: str | None) -> ClusterError | None:
        """The one-line error for ``error``, raised by the scan while this watched it, when
        the cluster is the likely cause: no running worker (see :attr:`message`), a task
        that killed every worker that ran it, or workers that died meanwhile (distributed
        then fails in ways of its own); None for pod-detect's own errors and when no worker
        was lost."""
        if self.fired:
            return ClusterError(self.message)
        lost = lost_worker(error, memory_limit) if isinstance(error, Exception) else None
        if lost is not None or isinstance(error, PodDetectError) or not self.lost:
            return lost
        return ClusterError(
            f"{self.lost} Dask workers died during the scan, most often because a task needed "
            f"more memory than a worker has{_limit(memory_limit)}, and then the scan failed "
            f"({type(error).__name__}); {ADVICE}")


