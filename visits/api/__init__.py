"""The REST API, version 1 (docs/api.md): django-ninja, token auth, the services underneath."""
