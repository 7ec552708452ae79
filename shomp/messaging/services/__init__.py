"""Every write to messaging (the spec's Shomp.Messages context). Keyword-only, one transaction each.

Real-time pushes, the unread-message email task and notifications are scheduled on commit,
never inside the transaction. Refusals are ValidationError (or RateLimited) with a message for
the person; views show it next to the form and nothing is changed.

- posting.py: the limits and refusal texts, update_reply_time, and how a message goes into a
  thread (counters, attachments, the pushes, email check and notification)
- attachments.py: AttachmentUpload, storing a message's files, the hourly limit on images, and
  process_attachments (the worker decodes images: "processing" until then)
- conversations.py: default_subject, create_conversation, send_message, mark_as_read, set_status
- offers.py: send_offer, withdraw_offer, accept_offer (custom orders)
- seller_tools.py: create_saved_reply (store-only or shared with the organization),
  delete_saved_reply, block_user, unblock_user, report_conversation
- assignment.py: assign_conversation (to a member who may do "messages" on the store, or nobody),
  release_lost_assignments (organizations' access_lost: back to nobody when the assignee lost access)
- emails.py: send_unread_email
- cancellation.py: request_cancellation (a buyer asks to cancel an unshipped order: a support conversation)
"""

from .assignment import CANT_ASSIGN_TEXT, assign_conversation, release_lost_assignments
from .attachments import (
    IMAGE_ATTACHMENT_RATE_TEXT,
    IMAGE_ATTACHMENTS_PER_HOUR,
    process_attachments,
)
from .cancellation import request_cancellation
from .conversations import create_conversation, default_subject, mark_as_read, send_message, set_status
from .emails import send_unread_email
from .offers import accept_offer, send_offer, withdraw_offer
from .posting import (
    ATTACHMENT_MAX_BYTES,
    BLOCKED_TEXT,
    CONVERSATION_RATE_TEXT,
    CONVERSATIONS_PER_HOUR,
    EMAIL_AFTER,
    EMAIL_AT_MOST_EVERY,
    MAX_ATTACHMENTS,
    MESSAGE_RATE_TEXT,
    MESSAGES_PER_MINUTE,
    OFFER_VALID_FOR,
    OWN_STORE_TEXT,
    REPORTS_PER_HOUR,
    AttachmentUpload,
    update_reply_time,
)
from .seller_tools import (
    SHARE_REFUSED_TEXT,
    block_user,
    create_saved_reply,
    delete_saved_reply,
    may_share_replies,
    report_conversation,
    unblock_user,
)

__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "BLOCKED_TEXT",
    "CANT_ASSIGN_TEXT",
    "CONVERSATIONS_PER_HOUR",
    "CONVERSATION_RATE_TEXT",
    "EMAIL_AFTER",
    "EMAIL_AT_MOST_EVERY",
    "IMAGE_ATTACHMENTS_PER_HOUR",
    "IMAGE_ATTACHMENT_RATE_TEXT",
    "MAX_ATTACHMENTS",
    "MESSAGES_PER_MINUTE",
    "MESSAGE_RATE_TEXT",
    "OFFER_VALID_FOR",
    "OWN_STORE_TEXT",
    "REPORTS_PER_HOUR",
    "SHARE_REFUSED_TEXT",
    "AttachmentUpload",
    "accept_offer",
    "assign_conversation",
    "block_user",
    "create_conversation",
    "create_saved_reply",
    "default_subject",
    "delete_saved_reply",
    "mark_as_read",
    "may_share_replies",
    "process_attachments",
    "release_lost_assignments",
    "report_conversation",
    "request_cancellation",
    "send_message",
    "send_offer",
    "send_unread_email",
    "set_status",
    "unblock_user",
    "update_reply_time",
    "withdraw_offer",
]
