"""HTTP helpers of the attendance views and API."""


def unlogged(response):
    """Keep Django's request logger from writing this response's path.

    Django logs every 4xx at WARNING with the request path. Here the path holds a console token or
    a roll-call code, secrets that must never reach a log file, and a refusal is an expected outcome
    that is already stored as a CheckInAttempt. `_has_been_logged` is the flag Django itself sets to
    log a response once.
    """
    response._has_been_logged = True
    return response
