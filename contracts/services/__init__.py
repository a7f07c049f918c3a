"""Contract workflows, one module a part of the contract's life:

- award.py: `contract_create`, called by the award services in buying once they have validated
  the terms (nothing else creates contracts), with the value and headroom checks it needs;
- lifecycle.py: start, end (daily beat), extend, terminate, and the timeline in plain words;
- performance.py: KPIs, performance reports, supplier responses, flags and reminders;
- variations.py: section 74 changes, change notices, supplier acceptance and versions;
- benefits.py: the outcomes assessment;
- renewals.py: contracts ending in 90 and 30 days;
- social_value.py: the social value weight and theme scores kept from the competition.
"""

from .award import contract_create
from .social_value import contract_social_value_record

__all__ = ["contract_create", "contract_social_value_record"]
