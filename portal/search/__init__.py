"""Free-text search of orders by index: ``index`` says how content and address are indexed on each
database, ``query`` turns a search string into a clause the order lists use. No search reads the whole
orders table with ``LIKE '%...%'``."""
