"""Which function is the body of each kind of job. Apps register theirs in AppConfig.ready(), so a
worker process (which loads no URLconf and no views) knows every kind too."""

from collections.abc import Callable

_REGISTRY: dict[str, Callable] = {}
# Kinds that draw hundreds of PDF pages or issue numbers for a whole training: core.jobs.limits lets a
# person run one at a time and a few a day.
_HEAVY: set[str] = set()


def job_kind(name: str, *, heavy: bool = False):
    """Register a function as the body of jobs of this kind: it gets the Job, returns a dict (the result).

    `heavy`: the job costs minutes of a worker (print PDFs, letters, certificates); core.jobs.limits
    applies to it."""

    def register(fn):
        _REGISTRY[name] = fn
        if heavy:
            _HEAVY.add(name)
        else:
            _HEAVY.discard(name)
        return fn

    return register


def is_known(kind: str) -> bool:
    return kind in _REGISTRY


def is_heavy(kind: str) -> bool:
    return kind in _HEAVY


def heavy_kinds() -> set[str]:
    return set(_HEAVY)


def body_of(kind: str) -> Callable:
    return _REGISTRY[kind]
