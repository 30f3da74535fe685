"""Unusual spend (issue 19, item 6): a (model, customer) day far above its usual, found by a
daily job, recorded, listed on the dashboard and emailed to the account's owners once.

- `detection`: the rule, pure arithmetic;
- `recording`: a day's series from the daily rollup, across accounts, and the rows it records;
- `notification`: one email per account for its anomalies not yet told;
- `listing`: an account's recent anomalies, for the dashboard.
"""
