"""Forms of the visits app, one module per capability."""
