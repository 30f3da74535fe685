"""`/agents` and `/agents/{name}`: cost per agent (`llmobserve.agent(...)`), see dimension_pages."""

from __future__ import annotations

from llmobserve_server.web.dimension_pages import DimensionPages, dimension_router

router = dimension_router(
    DimensionPages(
        dimension="agent",
        path="/agents",
        title="Agents",
        singular="agent",
        hint='Wrap an agent\'s work in llmobserve.agent("name") and its costs appear here.',
    )
)
