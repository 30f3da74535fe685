"""The operator console's domain: what staff see and do across every account of this install.

Cross-account by design. Everything else in the server reads and writes one account at a time
(the request's); these queries read all accounts at once, for the people who run the service.
Only the staff-only pages (`web/admin*.py`, behind `web.admin_access.StaffDep`) and the
`llmobserve-server staff` command call them; never call them from an account-scoped page or API.

- `overview`: sign-ups, active accounts, events per day and this month, accounts per plan, MRR.
- `rankings`: top accounts by volume and by cost tracked, accounts near or over their quota.
- `directory`: finding accounts, and one account's members, keys and usage.
- `moderation`: disabling an account (its API keys get 403) and enabling it again.
- `tiers`: changing an account's plan from the console, emailing its owners.
- `staff`: who is staff (`llmobserve-server staff add|remove|list`).
"""
