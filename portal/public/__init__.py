"""Public information (公开信息): published rankings, and the one way to make a page answer without log-in."""
