// Errors in the words of the shop floor, chosen by the ErrorInfo reason (else the code); the
// reason itself is shown small beside them for support.

const BY_REASON = {
  INSUFFICIENT_STOCK: (m) =>
    `Not enough stock${m.sku ? ` of ${m.sku}` : ''}${m.available ? ` (only ${m.available} available)` : ''}.`,
  INVALID_ORDER_STATE: () =>
    'This order has already moved on (someone else may have changed it). Reload it to see where it is.',
  PICKUP_CODE_MISMATCH: (m) =>
    `That pickup code is not right.${m.attempts_left !== undefined ? ` ${m.attempts_left} attempt${m.attempts_left === '1' ? '' : 's'} left.` : ''}`,
  PICKUP_ATTEMPTS_EXCEEDED: () =>
    'Too many wrong codes. Check the customer\'s ID and confirm with a staff override.',
  RETURN_QUANTITY_EXCEEDED: (m) =>
    `That is more than can be returned${m.sku ? ` of ${m.sku}` : ''}${m.sold ? `: ${m.sold} sold, ${m.returned || 0} already returned` : ''}${m.quarantined ? `: ${m.quarantined} waiting for inspection` : ''}.`,
  RESERVATION_NOT_COMMITTED: () => 'That sale was never completed, so nothing can be returned from it.',
  RESERVATION_NOT_ACTIVE: () => 'The hold on these items has ended.',
  VERSION_MISMATCH: () => 'The stock changed while you were working. Look it up again and retry.',
  REQUEST_ID_REUSED: () => 'This request was already sent with other details. Try again.',
  LOCATION_INACTIVE: () => 'This location is closed in the system.',
  FULFILMENT_NOT_ALLOWED: () => 'This location does not do that kind of order.',
  WRITER_OVERLOADED: () => 'The system is very busy. Wait a moment and try again.',
  RATE_LIMITED: () => 'Too many requests from this device. Wait a moment and try again.',
  STORAGE_UNAVAILABLE: () => 'The system cannot save right now. Try again in a minute.',
  SHUTTING_DOWN: () => 'The system is restarting. Try again in a minute.',
  DEADLINE_EXCEEDED: () => 'The system took too long to answer. Try again.',
  PREORDER_NOT_RECEIVED: () => 'The pre-ordered items have not arrived yet.',
};

const BY_CODE = {
  unauthenticated: 'Your sign-in is not valid any more. Sign in again.',
  permission_denied: 'Your sign-in is not allowed to do this here. Ask a manager.',
  not_found: 'Nothing was found with that number or code.',
  invalid_argument: 'Something in the form is not right. Check it and try again.',
  already_exists: 'That already exists.',
  failed_precondition: 'This cannot be done right now.',
  aborted: 'Someone changed this at the same time. Try again.',
  resource_exhausted: 'The system is very busy. Wait a moment and try again.',
  unavailable: 'The system cannot be reached. Check the network and try again.',
  deadline_exceeded: 'The system took too long to answer. Try again.',
};

// {text, detail}: what to tell the associate, and the small print for support.
export function explain(error) {
  const reason = error.reason || '';
  const metadata = error.metadata || {};
  const byReason = BY_REASON[reason];
  const text = byReason
    ? byReason(metadata)
    : BY_CODE[error.code] || 'Something went wrong. Try again, or call support.';
  const detail = [error.code, reason].filter(Boolean).join(' · ');
  return { text, detail, message: error.message || '' };
}
