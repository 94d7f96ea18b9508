"""Scheduled jobs: a registry of jobs, a database lease so one scheduler acts, and the scheduler process
(``flask --app portal jobs run``). Nothing here starts inside the web process."""
