"""Export records (导出记录): every file the portal hands out from its data (Excel workbooks, PDF lists,
reports, notices, documents) writes one row saying who took what, when, with which filters, how many
rows, and the file's SHA-256, in the same request that served it. Admins and supervisors read them."""
