import pytest

from lightwork.core.status import InvalidTransition, WorkStatus, check_transition


def test_the_normal_lifecycle_is_allowed():
    stages = ["not_started", "pending", "running", "succeeded", "pending", "running", "failed", "pending", "stopped"]
    for old, new in zip(stages, stages[1:]):
        check_transition(WorkStatus(old), WorkStatus(new))


@pytest.mark.parametrize("old,new", [("not_started", "succeeded"), ("running", "not_started"), ("succeeded", "running"), ("stopped", "succeeded")])
def test_impossible_transition_names_both_states(old, new):
    with pytest.raises(InvalidTransition, match=f"'{old}' to '{new}'"):
        check_transition(WorkStatus(old), WorkStatus(new))


def test_stage_compares_to_its_string():
    assert WorkStatus.RUNNING == "running" and str(WorkStatus.FAILED) == "failed"


def test_a_work_started_without_a_call_is_started_until_its_first_call():
    for stages in (["not_started", "started", "pending"], ["stopped", "started", "stopped", "started", "failed"]):
        for old, new in zip(stages, stages[1:]):
            check_transition(WorkStatus(old), WorkStatus(new))
    with pytest.raises(InvalidTransition):
        check_transition(WorkStatus.STARTED, WorkStatus.SUCCEEDED)


def test_a_status_keeps_its_reason_through_its_dict():
    from lightwork.core.status import StatusInfo

    stopped = StatusInfo(WorkStatus.STOPPED, "killed", 5.0, reason="sigterm_signal_handler")
    assert stopped.to_dict() == {"stage": "stopped", "message": "killed", "timestamp": 5.0, "reason": "sigterm_signal_handler"}
    assert StatusInfo.from_dict(stopped.to_dict()) == stopped
    plain = StatusInfo(WorkStatus.RUNNING, "", 1.0)
    assert "reason" not in plain.to_dict() and StatusInfo.from_dict(plain.to_dict()).reason is None
