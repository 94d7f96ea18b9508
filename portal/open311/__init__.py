"""Open311 GeoReport v2, read-only: the categories as services and the published orders as requests."""
