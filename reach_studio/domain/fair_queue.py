"""The work queue: every job has equal priority, whatever customer ordered it.

The vendor guide ("Job prioritization") asks for "a queueing mechanism that gives equal priority to all
jobs, regardless of the customer that initiated the request". So the default order, `QueueOrder.DEADLINE`,
never looks at the customer: earliest expected finish first (none = last), then the oldest, then the
lowest id — giving two tasks each other's customers never changes it. A supervisor may switch to
`QueueOrder.CUSTOMER_ROUND_ROBIN` (setting `queue_order`): in round k each customer contributes its k-th
most urgent task, and within a round those go most urgent first. Both orders depend only on the tasks
themselves (not on poll order), so they are stable across re-polls. `explain()` says in words why a task
is where it is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from reach_studio.domain.task import Task

CustomerKey = tuple[
    str, int
]  # (account, customer partner id): the same partner id on two clouds is two customers
TaskKey = tuple[str, int]


def customer_of(task: Task) -> CustomerKey:
    return (task.account, task.partner_id)


def task_key(task: Task) -> TaskKey:
    return (task.account, task.id)


class QueueOrder(Enum):
    """How the queue is ordered (setting `queue_order`)."""

    DEADLINE = "deadline"  # default: customer-blind, earliest expected finish, then oldest
    CUSTOMER_ROUND_ROBIN = "customer_round_robin"  # supervisor's option: one task per customer per round

    @classmethod
    def parse(cls, value: QueueOrder | str | None) -> QueueOrder:
        """A setting value; anything unknown is the default."""
        if isinstance(value, QueueOrder):
            return value
        try:
            return cls(value)
        except ValueError:
            return cls.DEADLINE


def urgency(task: Task) -> tuple[float, int, int, str]:
    """Sort key of the whole queue (and inside one customer): earliest expected finish (none = last), then
    oldest, then lowest id, then account (two clouds may reuse an id). Never the customer."""
    deadline = task.expected_finish_time if task.expected_finish_time else math.inf
    return (deadline, task.created_at or 0, task.id, task.account)


@dataclass(frozen=True)
class QueuePlace:
    task: Task
    position: int  # 1-based place in the whole queue
    round: int  # 1-based round of the round-robin (1 for everything in the deadline order)
    rank_in_customer: int  # 1-based: this is the customer's n-th most urgent task
    customer_tasks: int  # how many tasks this customer has in the queue
    customers: int  # how many customers are in the queue
    customers_in_round: int


class FairQueue:
    """An immutable, ordered snapshot of the queue for a set of tasks."""

    def __init__(self, tasks: Iterable[Task], order: QueueOrder | str = QueueOrder.DEADLINE) -> None:
        self.order = QueueOrder.parse(order)
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
        if self.order is QueueOrder.CUSTOMER_ROUND_ROBIN:
            places = _round_robin(by_customer)
        else:
            places = _by_deadline(by_customer)
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
        if self.order is QueueOrder.DEADLINE:
            return _explain_deadline(p, due)
        nth = _ordinal(p.rank_in_customer)
        why = (
            f"#{p.position}: customer {task.partner_id} has {p.customer_tasks} task(s); this is its {nth} "
            f"most urgent ({due}), so it is in round {p.round} of the round-robin across {p.customers} "
            f"customer(s) (the supervisor's setting)"
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


def _explain_deadline(p: QueuePlace, due: str) -> str:
    if p.position == 1:
        where = "no task is due sooner"
    else:
        where = f"{p.position - 1} task(s) are due sooner or, due together, are older"
    return (
        f"#{p.position}: {due}; {where}. Every job has the same priority whatever its customer: "
        f"earliest expected finish first, then the oldest."
    )


def _by_deadline(by_customer: dict[CustomerKey, list[Task]]) -> list[QueuePlace]:
    """Customer-blind: one list by urgency (the customer fields are only counted for the details)."""
    everything = sorted((t for items in by_customer.values() for t in items), key=urgency)
    rank = {task_key(t): i + 1 for items in by_customer.values() for i, t in enumerate(items)}
    return [
        QueuePlace(
            task=task,
            position=i + 1,
            round=1,
            rank_in_customer=rank[task_key(task)],
            customer_tasks=len(by_customer[customer_of(task)]),
            customers=len(by_customer),
            customers_in_round=len(by_customer),
        )
        for i, task in enumerate(everything)
    ]


def _round_robin(by_customer: dict[CustomerKey, list[Task]]) -> list[QueuePlace]:
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
    return places


def fair_order(tasks: Iterable[Task], order: QueueOrder | str = QueueOrder.DEADLINE) -> list[Task]:
    return FairQueue(tasks, order).tasks()


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
