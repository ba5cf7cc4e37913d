"""The fair work queue: every customer gets equal priority, however many tasks it submits.

Kaltura asks vendors to serve all customers equally (facts §8b). We order tasks in rounds: in round k
each customer contributes its k-th most urgent task (earliest expected finish, then oldest, then id),
and within a round those tasks go most urgent first. So a customer's k-th task is never later than
position k × (number of customers), a customer with one task is never buried under another's hundred,
and the order depends only on the tasks themselves (not on poll order), so it is stable across re-polls.
`explain()` says in words why a task is where it is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from reach_studio.domain.task import Task

CustomerKey = tuple[
    str, int
]  # (account, customer partner id): the same partner id on two clouds is two customers
TaskKey = tuple[str, int]


def customer_of(task: Task) -> CustomerKey:
    return (task.account, task.partner_id)


def task_key(task: Task) -> TaskKey:
    return (task.account, task.id)


def urgency(task: Task) -> tuple[float, int, int]:
    """Sort key inside one customer: earliest expected finish (none = last), then oldest, then lowest id."""
    deadline = task.expected_finish_time if task.expected_finish_time else math.inf
    return (deadline, task.created_at or 0, task.id)


@dataclass(frozen=True)
class QueuePlace:
    task: Task
    position: int  # 1-based place in the whole queue
    round: int  # 1-based round of the round-robin
    rank_in_customer: int  # 1-based: this is the customer's n-th most urgent task
    customer_tasks: int  # how many tasks this customer has in the queue
    customers: int  # how many customers are in the queue
    customers_in_round: int


class FairQueue:
    """An immutable, ordered snapshot of the queue for a set of tasks."""

    def __init__(self, tasks: Iterable[Task]) -> None:
        by_customer: dict[CustomerKey, list[Task]] = {}
        seen: set[TaskKey] = set()
        for task in tasks:
            key = task_key(task)
            if key in seen:  # the same task twice (e.g. two polls merged): keep the first
                continue
            seen.add(key)
            by_customer.setdefault(customer_of(task), []).append(task)
        for items in by_customer.values():
            items.sort(key=urgency)
        rounds = max((len(v) for v in by_customer.values()), default=0)
        places: list[QueuePlace] = []
        for r in range(rounds):
            in_round = [
                (urgency(items[r]), cust, items[r]) for cust, items in by_customer.items() if len(items) > r
            ]
            in_round.sort(key=lambda x: (x[0], x[1]))
            for _, cust, task in in_round:
                places.append(
                    QueuePlace(
                        task=task,
                        position=len(places) + 1,
                        round=r + 1,
                        rank_in_customer=r + 1,
                        customer_tasks=len(by_customer[cust]),
                        customers=len(by_customer),
                        customers_in_round=len(in_round),
                    )
                )
        self._places = places
        self._index = {task_key(p.task): p for p in places}

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self):
        return iter(self.tasks())

    def tasks(self) -> list[Task]:
        return [p.task for p in self._places]

    def places(self) -> list[QueuePlace]:
        return list(self._places)

    def place(self, task: Task) -> QueuePlace | None:
        return self._index.get(task_key(task))

    def explain(self, task: Task, now: float | None = None) -> str:
        """Why the task is where it is, in one or two plain sentences."""
        p = self.place(task)
        if p is None:
            return f"Task {task.id} is not in the queue."
        now = time.time() if now is None else now
        if task.expected_finish_time:
            left = task.expected_finish_time - now
            due = f"due in {_duration(left)}" if left >= 0 else f"overdue by {_duration(-left)}"
        else:
            due = "no expected finish time"
        nth = _ordinal(p.rank_in_customer)
        why = (
            f"#{p.position}: customer {task.partner_id} has {p.customer_tasks} task(s); this is its {nth} "
            f"most urgent ({due}), so it is in round {p.round} of the round-robin across {p.customers} "
            f"customer(s)"
        )
        if p.customers_in_round > 1:
            order = [q for q in self._places if q.round == p.round]
            ahead = order.index(p)
            why += (
                f"; {ahead} task(s) of other customers in that round are more urgent"
                if ahead
                else ("; it is the most urgent task of that round")
            )
        return why + "."


def fair_order(tasks: Iterable[Task]) -> list[Task]:
    return FairQueue(tasks).tasks()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
