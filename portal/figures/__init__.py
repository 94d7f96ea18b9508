"""Figures kept for the dashboard and the assessment pages (统计快照): computed by the scheduler every few
minutes, read by the pages, never by reports (which are as-of and reproducible)."""
