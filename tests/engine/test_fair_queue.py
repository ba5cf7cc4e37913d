"""The queue: customer-blind and deadline-first by default (every job has equal priority whatever its customer),
round-robin across customers as a supervisor's option; stable, explainable."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.fair_queue import FairQueue, QueueOrder, fair_order
from reach_studio.domain.task import Task

NOW = 1_800_000_000


def mk(tid, partner, deadline=None, created=0, account=""):
    return Task(
        id=tid,
        partner_id=partner,
        vendor_partner_id=1,
        entry_id=f"0_{tid}",
        status=TaskStatus.PENDING,
        catalog_item_id=1,
        reach_profile_id=1,
        created_at=created,
        expected_finish_time=deadline,
        account=account,
    )


task_specs = st.lists(
    st.tuples(
        st.sampled_from([101, 102, 103, 104]),  # customer
        st.one_of(st.none(), st.integers(NOW - 5000, NOW + 50_000)),  # deadline
        st.integers(NOW - 100_000, NOW),  # created
    ),
    min_size=0,
    max_size=60,
)


def build(specs):
    return [mk(i + 1, p, d, c) for i, (p, d, c) in enumerate(specs)]


# ---- default: customer-blind, deadline first -----------------------------------------------------------
def test_default_order_is_earliest_deadline_then_oldest_whatever_the_customer():
    tasks = [
        mk(1, 101, NOW + 8 * 86400, NOW - 10),  # a dubbing task due in 8 days
        mk(2, 101, NOW + 9 * 86400, NOW - 20),
        mk(3, 102, NOW + 18 * 3600, NOW - 5),  # the most urgent caption task: 18 h left
        mk(4, 103, NOW + 18 * 3600, NOW - 50),  # due at the same moment, but older
        mk(5, 104, None, NOW - 999),  # no expected finish: last
    ]
    assert [t.id for t in fair_order(tasks)] == [4, 3, 1, 2, 5]
    assert FairQueue(tasks).order is QueueOrder.DEADLINE


@given(task_specs, st.data())
@settings(max_examples=300, deadline=None)
def test_giving_two_tasks_each_others_customers_never_changes_the_order(specs, data):
    tasks = [
        mk(i + 1, p, d, c, account=data.draw(st.sampled_from(["", "eu"])))
        for i, (p, d, c) in enumerate(specs)
    ]
    if len(tasks) < 2:
        return
    i, j = data.draw(st.lists(st.integers(0, len(tasks) - 1), min_size=2, max_size=2, unique=True))
    a, b = tasks[i], tasks[j]
    swapped = list(tasks)
    swapped[i] = mk(a.id, b.partner_id, a.expected_finish_time, a.created_at, account=a.account)
    swapped[j] = mk(b.id, a.partner_id, b.expected_finish_time, b.created_at, account=b.account)
    before = FairQueue(tasks)
    after = FairQueue(swapped)
    assert [t.id for t in before.tasks()] == [t.id for t in after.tasks()]
    # and the explanation does not name the customer either
    assert before.explain(a, now=NOW) == after.explain(swapped[i], now=NOW)


def test_explain_says_deadline_first_whatever_the_customer():
    tasks = [mk(1, 101, NOW + 3600), mk(2, 101, NOW + 7200), mk(3, 102, NOW - 600)]
    q = FairQueue(tasks)
    first, third = q.explain(tasks[2], now=NOW), q.explain(tasks[1], now=NOW)
    assert first.startswith("#1: overdue by 10 min") and "no task is due sooner" in first
    assert third.startswith("#3: due in 2 h 00 min") and "2 task(s) are due sooner" in third
    assert "whatever its customer" in third and "earliest expected finish first, then the oldest" in third
    assert "customer 10" not in third


def test_queue_order_setting_values():
    assert QueueOrder.parse("customer_round_robin") is QueueOrder.CUSTOMER_ROUND_ROBIN
    assert (
        QueueOrder.parse("nonsense") is QueueOrder.DEADLINE and QueueOrder.parse(None) is QueueOrder.DEADLINE
    )


# ---- the supervisor's option: round-robin across customers -------------------------------------------------
def test_skewed_customer_cannot_bury_others():
    big = [mk(i, 101, NOW + 100 + i, NOW - 1000) for i in range(1, 101)]
    small = [mk(500, 102, NOW + 90_000, NOW), mk(600, 103, None, NOW)]
    order = fair_order(big + small, "customer_round_robin")
    ids = [t.id for t in order]
    assert set(ids[:3]) == {1, 500, 600}  # one from each customer first
    assert ids[0] == 1  # the most urgent of round 1 leads


def test_within_customer_earliest_deadline_then_oldest():
    tasks = [
        mk(1, 101, NOW + 500, NOW - 10),
        mk(2, 101, NOW + 100, NOW - 5),
        mk(3, 101, NOW + 100, NOW - 50),
        mk(4, 101, None, NOW - 999),
    ]
    assert [t.id for t in fair_order(tasks, "customer_round_robin")] == [3, 2, 1, 4]


def test_explain_says_why():
    tasks = [mk(1, 101, NOW + 3600), mk(2, 101, NOW + 7200), mk(3, 102, NOW - 600)]
    q = FairQueue(tasks, "customer_round_robin")
    text = q.explain(tasks[1], now=NOW)
    assert "#3" in text and "customer 101" in text and "2nd most urgent" in text and "round 2" in text
    assert "overdue by 10 min" in q.explain(tasks[2], now=NOW)
    assert "not in the queue" in q.explain(mk(99, 101), now=NOW)


def test_same_partner_on_two_accounts_are_two_customers():
    tasks = [
        mk(1, 101, NOW + 1, account="eu"),
        mk(2, 101, NOW + 2, account="eu"),
        mk(3, 101, NOW + 3, account="us"),
    ]
    assert [t.id for t in fair_order(tasks, "customer_round_robin")] == [1, 3, 2]


@given(task_specs, st.randoms())
@settings(max_examples=200, deadline=None)
def test_deterministic_regardless_of_poll_order(specs, rnd):
    tasks = build(specs)
    shuffled = tasks[:]
    rnd.shuffle(shuffled)
    for order in QueueOrder:
        assert [t.id for t in fair_order(tasks, order)] == [t.id for t in fair_order(shuffled, order)]


@given(task_specs)
@settings(max_examples=200, deadline=None)
def test_no_customer_starves(specs):
    tasks = build(specs)
    order = fair_order(tasks, "customer_round_robin")
    customers = {t.partner_id for t in tasks}
    seen: dict[int, int] = {}
    for pos, task in enumerate(order, start=1):
        seen[task.partner_id] = seen.get(task.partner_id, 0) + 1
        k = seen[task.partner_id]
        # the customer's k-th task comes no later than k full rounds
        assert pos <= k * len(customers)
    # and every customer with work appears within the first len(customers) places
    assert {t.partner_id for t in order[: len(customers)]} == customers


@given(task_specs, st.data())
@settings(max_examples=200, deadline=None)
def test_task_never_moves_behind_later_arrival_with_later_deadline(specs, data):
    tasks = build(specs)
    targets = [t for t in tasks if t.expected_finish_time]
    if not targets:
        return
    target = data.draw(st.sampled_from(targets))
    order = data.draw(st.sampled_from(list(QueueOrder)))
    before = FairQueue(tasks, order).place(target).position
    newcomer = mk(
        10_000,
        target.partner_id,
        deadline=data.draw(st.one_of(st.none(), st.integers(target.expected_finish_time + 1, NOW + 100_000))),
        created=NOW + 1,
    )
    after_q = FairQueue(tasks + [newcomer], order)
    assert after_q.place(target).position < after_q.place(newcomer).position
    assert after_q.place(target).position == before  # a less urgent newcomer pushes nothing back


def test_duplicates_are_merged():
    a = mk(1, 101, NOW)
    assert len(FairQueue([a, a, mk(1, 101, NOW)])) == 1


def test_random_big_queue_is_fast_enough_to_build():
    rnd = random.Random(1)
    tasks = [
        mk(i, rnd.choice([1, 2, 3]), NOW + rnd.randint(0, 10**5), NOW - rnd.randint(0, 10**5))
        for i in range(5000)
    ]
    assert len(fair_order(tasks)) == len(fair_order(tasks, "customer_round_robin")) == 5000
