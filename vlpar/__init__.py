"""The Flemish Parliament's services: a polite HTTP client, the open-data API, and a mirror."""
