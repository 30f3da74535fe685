"""Budgets: spending limits on slices of an account's usage, evaluated at ingest, alerted once
per threshold and period, and reported to the SDK as blocked scopes when enforced.

    periods.py     a period's UTC bounds (day, ISO week, calendar month)
    scope.py       which events a budget covers
    service.py     create, read, change, delete (what /v1/budgets and the pages call)
    spend.py       a budget's spend in a period, read from the rollups
    cache.py       the account's budgets as ingestion sees them (per process, by version)
    evaluation.py  after a batch: crossings claimed, alerts queued, the blocked list
"""
