"""Which function is the body of each kind of job. Apps register theirs in AppConfig.ready(), so a
worker process (which loads no URLconf and no views) knows every kind too."""

from collections.abc import Callable

_REGISTRY: dict[str, Callable] = {}


def job_kind(name: str):
    """Register a function as the body of jobs of this kind: it gets the Job, returns a dict (the result)."""

    def register(fn):
        _REGISTRY[name] = fn
        return fn

    return register


def is_known(kind: str) -> bool:
    return kind in _REGISTRY


def body_of(kind: str) -> Callable:
    return _REGISTRY[kind]
