"""API tokens: one per integration, stored hashed, with scopes, an expiry and a rate limit.

The scopes are registered by the apps that offer them (`scopes.register_scopes`), so reception
names none of what the apps above serve through the API.
"""
