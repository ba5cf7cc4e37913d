"""The sign-in dialog, `sync` and `sync --live` agree on which Kaltura errors mean "sign in again"."""

import pytest

from reach_studio.engine.run_loop import EXIT_AUTH, EXIT_UNAVAILABLE, exit_code_for
from reach_studio.kaltura.connection import ReachError
from reach_studio.ui.sign_in_dialog import explain_sign_in_error

# Kaltura's codes for a refused app token, session or vendor account (an expired KS is INVALID_KS there)
REFUSED = [
    "APP_TOKEN_EXPIRED",
    "APP_TOKEN_NOT_ACTIVE",
    "INVALID_KS",
    "VENDOR_TASK_SERVICE__GET_JOB_NOT_ALLOWED",
]


@pytest.mark.parametrize("code", REFUSED)
def test_refused_credentials_read_the_same_in_the_dialog_and_in_sync(code):
    error = ReachError(code, "Refused by the server")
    assert "refused these credentials" in explain_sign_in_error(error)
    assert exit_code_for([error]) == EXIT_AUTH


def test_a_server_fault_is_not_a_credentials_problem():
    error = ReachError("INTERNAL_SERVERL_ERROR", "Internal server error occurred")
    assert "refused these credentials" not in explain_sign_in_error(error)
    assert exit_code_for([error]) == EXIT_UNAVAILABLE


def test_sigterm_asks_a_headless_service_to_stop_and_the_old_handler_comes_back():
    import os
    import signal
    import threading

    from reach_studio.engine.run_loop import stop_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    with stop_on_sigterm(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5)  # the loop sees it at its next wait and exits 0
    assert signal.getsignal(signal.SIGTERM) is before
