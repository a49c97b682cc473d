"""Accounts and contacts moved to store.accounts, store.contacts and store.merges
(what they share: store.people_shared). These names stay here for the callers that
are being changed elsewhere at the same time (tui/screens/deal.py, bench/people_probe.py,
tests/store/test_demo.py); new code imports from the modules above.
"""

from store.accounts import account_page, count_accounts, list_accounts  # noqa: F401
from store.contacts import (  # noqa: F401
    DealContactInfo,
    contact_page,
    count_contacts,
    deal_contacts,
    list_contacts,
)
