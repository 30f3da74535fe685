"""What the two HTTP faces of the server, the JSON API (`api/`) and the dashboard (`web/`),
share: the request's database session and client (`deps`), who the audit log says acted
(`actors`), and absolute links for emails and redirects (`links`).

`api/` and `web/` import from here, not from each other. Domain packages (`accounts/`,
`billing/`, …) import from neither: they raise `domain_errors` kinds and `errors.py` maps them.
"""
