"""Reading uploaded files from a submitted form (the operations check them)."""


def uploaded_files(files, field: str = "files") -> list[tuple[str, bytes]]:
    """(name, bytes) of each file chosen in the form's ``field``; the request's MAX_CONTENT_LENGTH bounds
    the total."""
    return [(f.filename or "", f.read()) for f in files.getlist(field) if f and (f.filename or "")]
