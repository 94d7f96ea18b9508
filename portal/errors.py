"""Errors that settings operations (deadlines, responsibility list) share; messages are for the user."""


class InvalidInput(Exception):
    """Input that cannot be saved; ``messages`` are for the user. Nothing was changed."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__("；".join(messages))


class NotAllowed(Exception):
    """The actor may not make this change."""
