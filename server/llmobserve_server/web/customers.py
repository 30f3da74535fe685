"""`/customers` and `/customers/{id}`: cost per end-customer (`llmobserve.customer(...)`), see
dimension_pages."""

from __future__ import annotations

from llmobserve_server.web.dimension_pages import DimensionPages, dimension_router

router = dimension_router(
    DimensionPages(
        dimension="customer",
        path="/customers",
        title="Customers",
        singular="customer",
        hint="Wrap a request in llmobserve.customer(customer_id) and its costs appear here.",
    )
)
