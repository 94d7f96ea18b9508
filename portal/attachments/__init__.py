"""Attachments (附件) of orders, replies, supervision answers and consultation opinions: one way to check,
store and serve every uploaded file."""
