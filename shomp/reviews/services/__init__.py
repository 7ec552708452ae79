"""Review writes: keyword-only, one transaction each; notifications after commit.

- reviews.py: create_review (who may write one is the policy's `review_refusal`), update_review,
  delete_review, respond_to_review; has_paid_for (selectors) decides "Verified purchase"
- moderation.py: flag_review, vote_helpful, remove_helpful_vote, moderate_review
- ratings.py: the summary rows, shifted with every change and rebuilt by calculate_ratings
- notices.py: what the reviewer is told (tasks call these)
- media.py: photos and videos stored as received and decoded by the worker (process_review_media),
  and the per-user rate limits on review writes and uploads
"""

from ..selectors import has_paid_for
from .media import (
    REVIEW_UPLOAD_RATE_TEXT,
    REVIEW_UPLOADS_PER_HOUR,
    REVIEW_WRITE_RATE_TEXT,
    REVIEW_WRITES_PER_HOUR,
    process_review_media,
)
from .moderation import FLAGS_TO_HIDE, flag_review, moderate_review, remove_helpful_vote, vote_helpful
from .notices import REVIEW_MODERATION, REVIEW_RESPONSE, send_moderation_notice, send_response_notice
from .ratings import calculate_ratings, computed_ratings
from .reviews import create_review, delete_review, respond_to_review, update_review

__all__ = [
    "FLAGS_TO_HIDE",
    "REVIEW_MODERATION",
    "REVIEW_RESPONSE",
    "REVIEW_UPLOADS_PER_HOUR",
    "REVIEW_UPLOAD_RATE_TEXT",
    "REVIEW_WRITES_PER_HOUR",
    "REVIEW_WRITE_RATE_TEXT",
    "calculate_ratings",
    "computed_ratings",
    "create_review",
    "delete_review",
    "flag_review",
    "has_paid_for",
    "moderate_review",
    "process_review_media",
    "remove_helpful_vote",
    "respond_to_review",
    "send_moderation_notice",
    "send_response_notice",
    "update_review",
    "vote_helpful",
]
