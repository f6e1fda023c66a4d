"""Who a user is, for core's pages, its API and job access, without core importing the app that knows.

core sits below every app, so it cannot ask `bridges.scope` itself: bridges tells it in its
AppConfig.ready() with `provide(...)`. Until something provides them, nobody has a role, people
see only their own jobs and nobody may start a heavy job.
"""

from collections.abc import Callable

_role_of: Callable = lambda user: None  # noqa: E731
_sees_all_jobs: Callable = lambda user: False  # noqa: E731
_may_start_heavy_jobs: Callable = lambda user: False  # noqa: E731


def provide(*, role_of: Callable, sees_all_jobs: Callable, may_start_heavy_jobs: Callable | None = None) -> None:
    """role_of(user) -> the user's role object or None; sees_all_jobs(user) -> may see everyone's jobs;
    may_start_heavy_jobs(user) -> may start print, letter and certificate jobs (core.jobs.limits)."""
    global _role_of, _sees_all_jobs, _may_start_heavy_jobs
    _role_of, _sees_all_jobs = role_of, sees_all_jobs
    if may_start_heavy_jobs is not None:
        _may_start_heavy_jobs = may_start_heavy_jobs


def role_of(user):
    return _role_of(user)


def sees_all_jobs(user) -> bool:
    return bool(_sees_all_jobs(user))


def may_start_heavy_jobs(user) -> bool:
    return bool(_may_start_heavy_jobs(user))
