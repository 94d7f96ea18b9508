"""The tamper-evident record: every event table's rows form one hash chain per record (order,
supervision, consultation, ledger entry, standard reply, unit roster), sealed on insert and checked by
``flask --app portal verify-audit``."""
