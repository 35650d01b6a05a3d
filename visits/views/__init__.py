"""Pages of the visits app, one module per capability (see visits/urls.py)."""
