from lightwork.core.calls import CallBook, Decision


def test_cached_blocking_call_waits_then_returns_from_cache():
    book = CallBook(cache_calls=True, parallel=False)
    decision, key = book.request([1], {})
    assert decision is Decision.DISPATCH
    book.started(key)
    assert book.request([1], {}) == (Decision.WAIT, key)
    book.finished_call(key, "succeeded")
    assert book.request([1], {}) == (Decision.RETURN, key)
    assert book.request([2], {})[0] is Decision.DISPATCH


def test_new_arguments_while_busy_are_queued_in_order():
    book = CallBook(cache_calls=True, parallel=True)
    _, first = book.request(["a"], {})
    book.started(first)
    assert book.request(["b"], {"x": 1})[0] is Decision.RETURN  # parallel: the flow goes on
    assert book.request(["c"], {})[0] is Decision.RETURN
    assert book.next_queued() is None
    book.finished_call(first, "succeeded")
    key, args, kwargs = book.next_queued()
    assert (args, kwargs) == (["b"], {"x": 1})


def test_uncached_blocking_call_runs_once_per_completed_pass():
    book = CallBook(cache_calls=False, parallel=False)
    decision, key = book.request([], {})
    assert decision is Decision.DISPATCH
    book.started(key)
    assert book.request([], {})[0] is Decision.WAIT
    book.finished_call(key, "succeeded")
    assert book.request([], {}) == (Decision.RETURN, key)  # the pass sees its call finished
    decision, second = book.request([], {})
    assert decision is Decision.DISPATCH and second != key


def test_failed_cached_call_is_not_retried():
    book = CallBook(cache_calls=True, parallel=False)
    _, key = book.request([], {})
    book.started(key)
    book.finished_call(key, "failed")
    assert book.request([], {})[0] is Decision.RETURN


def test_argument_order_of_kwargs_does_not_change_the_key():
    book = CallBook()
    assert book.request([], {"a": 1, "b": 2})[1] == book.request([], {"b": 2, "a": 1})[1]
