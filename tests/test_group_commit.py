"""core.group_commit: items submitted together are written as one batch, each owner gets its own answer."""

import threading
import time

import pytest

from core.group_commit import GroupCommit


class Recorder:
    """A write_batch that takes a little time (so that others queue meanwhile) and notes its batches."""

    def __init__(self, pause=0.02, fail_on=None):
        self.batches: list[list] = []
        self.threads: list[int] = []
        self.pause = pause
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        self.threads.append(threading.get_ident())
        time.sleep(self.pause)
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError(f"batch with {self.fail_on} refused")
        return [item * 10 for item in items]


def submit_together(commit, items):
    barrier = threading.Barrier(len(items))
    answers, errors = {}, {}

    def worker(item):
        barrier.wait()
        try:
            answers[item] = commit.submit(item)
        except Exception as exc:  # checked by the callers
            errors[item] = exc

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a submitter never got its answer"
    return answers, errors


def test_one_item_alone_is_written_at_once_in_the_callers_thread():
    recorder = Recorder(pause=0)
    commit = GroupCommit(recorder)
    assert commit.submit(7) == 70
    assert recorder.batches == [[7]]
    assert recorder.threads == [threading.get_ident()]


def test_items_arriving_together_share_batches_and_each_owner_gets_its_own_answer():
    recorder = Recorder()
    commit = GroupCommit(recorder, max_batch=100)
    answers, errors = submit_together(commit, list(range(40)))
    assert not errors
    assert answers == {item: item * 10 for item in range(40)}
    written = [item for batch in recorder.batches for item in batch]
    assert sorted(written) == list(range(40))  # each exactly once
    assert len(recorder.batches) < 40 / 2, recorder.batches  # queued items went together
    assert commit.batches == len(recorder.batches)


def test_batches_never_exceed_max_batch():
    recorder = Recorder()
    commit = GroupCommit(recorder, max_batch=5)
    answers, errors = submit_together(commit, list(range(30)))
    assert not errors and len(answers) == 30
    assert max(len(batch) for batch in recorder.batches) <= 5


def test_a_failed_batch_raises_for_its_own_items_only_and_the_next_batch_is_written():
    recorder = Recorder(pause=0, fail_on=3)
    commit = GroupCommit(recorder)
    with pytest.raises(RuntimeError, match="batch with 3 refused"):
        commit.submit(3)
    assert commit.submit(4) == 40

    recorder = Recorder(fail_on=13)
    commit = GroupCommit(recorder)
    answers, errors = submit_together(commit, list(range(10, 30)))
    failed_batch = next(batch for batch in recorder.batches if 13 in batch)
    assert set(errors) == set(failed_batch)
    assert all(str(exc) == "batch with 13 refused" for exc in errors.values())
    assert answers == {item: item * 10 for item in range(10, 30) if item not in failed_batch}


def test_a_write_batch_giving_the_wrong_number_of_answers_is_an_error_not_a_wrong_answer():
    commit = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="0 answers for 1 items"):
        commit.submit(1)
