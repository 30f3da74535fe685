"""llmobserve 0.3's module `llmobserve.celery_support`, kept so that its imports work unchanged
(each warns when used: Celery tasks and RQ jobs now continue the enqueuer's run by themselves)."""

from __future__ import annotations

from llmobserve.compat._context import get_current_context, restore_context, with_context
from llmobserve.compat._tasks import observe_rq_job, observe_task, patch_celery_task

__all__ = [
    "get_current_context",
    "observe_rq_job",
    "observe_task",
    "patch_celery_task",
    "restore_context",
    "with_context",
]
