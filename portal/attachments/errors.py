"""The refusal every attachment rule raises: a Chinese message for the user; nothing was stored.

It is the order operations' ``InvalidInput``, so an order action with files shows it like any other
refused input; the supervision and consultation operations turn it into their own refusal.
"""
from ..orders.errors import InvalidInput


class Refused(InvalidInput):
    """A file (or an upload) that is not accepted: the message names the file and the rule."""
