"""Accounts: the people and what they may do.

roles.py         roles (auth groups named by their codes) and their default permissions
access.py        what a user may do, kept in the cache between requests
directory.py     directory login (LDAP): roles from directory groups
staff_import.py  departments and people from a spreadsheet
throttle.py      counts in the cache (password-reset emails); axes_config.py: login lockouts
admin_roles.py   roles shown by their names in the admin
signals.py       the language chosen on the login page becomes the user's
"""
