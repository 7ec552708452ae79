"""Team moments that apps above organizations act on, without organizations importing them
(shomp.core.hooks). Each is sent after its transaction commits.

- `access_lost(*, organization_id, store_ids)`: someone may have lost access to some of the
  organization's stores (a member removed, left or was given fewer areas or stores), or, with
  `store_ids`, those stores left the organization. Listeners re-ask the door for what they hold
  on people's behalf (messaging: conversations assigned to them).
"""

from shomp.core.hooks import Moment

access_lost = Moment("organizations.access_lost")
