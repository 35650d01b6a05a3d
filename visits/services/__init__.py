"""Business operations on visits, one module per capability. Each is a keyword-only function
that locks, checks, changes, records on the timeline and notifies after commit."""
