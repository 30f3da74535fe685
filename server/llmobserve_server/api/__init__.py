"""The JSON API under /v1: thin routers over the domain packages."""
