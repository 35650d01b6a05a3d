"""Policy: the rulebook as data, and the working-day calendar.

loading.py          LoadReport; create what is missing, keep what the company edited
services.py         role defaults granted once (ensure_roles), grades and standards, role ranks
calendar.py         working days in mainland China (official schedule, company entries)
calendar_import.py  a year's schedule or a company's shutdowns entered in one step
"""
