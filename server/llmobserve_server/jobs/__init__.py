"""Background jobs: work the server does on a schedule rather than per request.

`retention` deletes data older than each account's plan allows; `scheduler` runs such a job
every interval inside the server; `locks` makes sure one run happens at a time across replicas
and worker processes.
"""
