"""llmobserve 0.3's module `llmobserve.celery_support`, kept so that its imports work unchanged
(each warns when used: Celery tasks and RQ jobs now continue the enqueuer's run by themselves).
It exports nothing new: `__all__` is empty."""

from __future__ import annotations

from llmobserve.compat._context import get_current_context as get_current_context
from llmobserve.compat._context import restore_context as restore_context
from llmobserve.compat._context import with_context as with_context
from llmobserve.compat._tasks import observe_rq_job as observe_rq_job
from llmobserve.compat._tasks import observe_task as observe_task
from llmobserve.compat._tasks import patch_celery_task as patch_celery_task

__all__: list[str] = []
