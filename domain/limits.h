// Every limit of oms in one place, each with its reason. `omsd --help` prints them all from
// kAll at the end of this header: a limit added here goes into that table too (a test reads
// this header and fails for any constant the table lacks).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace oms::limits {

// Ids (SKU, location, group, request, customer): long enough for any real key, short enough
// to keep index pages dense.
inline constexpr int kMaxIdLength = 128;
// Free-text references and names shown to people.
inline constexpr int kMaxTextLength = 256;
// Lines per reservation or order: a large basket, far from a bulk import.
inline constexpr int kMaxLines = 100;
// SKUs per GetAvailability call: a full product listing page with variants.
inline constexpr int kMaxSkusPerQuery = 1000;
// Rows per ImportStock call: one transaction stays short, 100k rows take 100 calls.
inline constexpr int kMaxImportRows = 1000;
// Members of one location group.
inline constexpr int kMaxGroupMembers = 1000;
// Page sizes of every List* RPC.
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
// Largest quantity in one request: no real movement comes near it, and sums of many lines
// stay far from int64 overflow.
inline constexpr int64_t kMaxQuantity = 1'000'000'000;
// Largest on_hand or expected_on_hand of one stock level.
inline constexpr int64_t kMaxOnHand = 1'000'000'000'000'000;
// Reservation time-to-live bounds and default.
inline constexpr std::chrono::seconds kMinTtl{1};
inline constexpr std::chrono::seconds kMaxTtl{7 * 24 * 3600};
inline constexpr std::chrono::seconds kDefaultTtl{15 * 60};
// A preorder's TTL (CreateReservation with promise_by, and ExtendReservation of one), most;
// and how far ahead its promise_by may be.
inline constexpr std::chrono::seconds kMaxPreorderTtl{180 * 24 * 3600};
// Lines per inbound: a full purchase order.
inline constexpr int kMaxInboundLines = 1000;
// An inbound still open this long after expected_at is overdue: no longer future supply
// (--inbound-grace).
inline constexpr std::chrono::hours kDefaultInboundGrace{72};
// GetFutureAvailability: the horizon when none is given, and the longest one asked.
inline constexpr std::chrono::hours kDefaultFutureHorizon{90 * 24};
inline constexpr std::chrono::hours kMaxFutureHorizon{366 * 24};
// How long a ready pickup order waits for its customer (--pickup-hold, or the order's
// hold_for): at least an hour to get there, at most a month on the shelf.
inline constexpr std::chrono::hours kMinPickupHold{1};
inline constexpr std::chrono::hours kMaxPickupHold{24 * 30};
inline constexpr std::chrono::hours kDefaultPickupHold{72};
// Characters of an issued pickup code (31 unambiguous symbols): 31^6 ≈ 887 million codes.
inline constexpr int kPickupCodeLength = 6;
// Longest pickup code a request may carry; a longer one is malformed, not just wrong.
inline constexpr int kMaxPickupCodeLength = 64;
// Wrong pickup codes before an order needs a staff override: guessing one of 31^6 codes
// five times is hopeless.
inline constexpr int kMaxPickupAttempts = 5;
// Concurrent Watch streams; more are refused with RESOURCE_EXHAUSTED.
inline constexpr int kMaxWatchStreams = 10000;
// Events held in memory for live streams; a stream further behind replays from the log.
inline constexpr int kWatchBufferEvents = 1 << 16;
// Events kept in the log for Watch replay: newer than the retention and among the newest
// kMaxEventsKept; a stream resuming before them is told EVENTS_PRUNED.
inline constexpr std::chrono::hours kEventRetention{24 * 7};
inline constexpr int64_t kMaxEventsKept = 10'000'000;
// Largest gRPC request accepted.
inline constexpr int kMaxRequestBytes = 4 * 1024 * 1024;
// HTTP/JSON (--http-listen): the request line and headers, at most; larger is 431.
inline constexpr int kMaxHttpHeaderBytes = 16 * 1024;
// Open HTTP connections; one more is answered 503 and closed.
inline constexpr int kMaxHttpConnections = 4096;
// A request's line and headers must arrive within this (slow clients are dropped: 408).
inline constexpr std::chrono::seconds kHttpHeaderTimeout{10};
// A kept-alive connection with no request in flight is closed after this.
inline constexpr std::chrono::seconds kHttpIdleTimeout{60};
// Server-Sent Events streams send a comment this often, so proxies keep them open.
inline constexpr std::chrono::seconds kSseHeartbeat{15};
// Commands waiting for the writer; beyond this a call fails fast with RESOURCE_EXHAUSTED
// instead of queueing without bound.
inline constexpr int kMaxWriterQueue = 20000;
// Commands applied in one database transaction.
inline constexpr int kMaxBatch = 4096;
// A call without a deadline is treated as having this one: a mutation still waiting for the
// writer after it is answered DEADLINE_EXCEEDED with no effect, so an overload sheds work
// that nobody waits for any more.
inline constexpr std::chrono::seconds kDefaultCallDeadline{30};
// How long idempotency records are kept by default.
inline constexpr std::chrono::hours kDefaultRequestRetention{24};
// A database read (lists, history, Watch replay) that saw a commit whose fsync is still in
// flight waits at most this for it, then fails UNAVAILABLE: storage is failing.
inline constexpr std::chrono::seconds kReadDurableWait{5};
// A read with oms-min-sequence waits at most this (and never past its deadline) for the
// replica to apply that sequence, then fails UNAVAILABLE REPLICA_BEHIND.
inline constexpr std::chrono::seconds kMaxMinSequenceWait{10};

// One row of `omsd --help`'s limits.
struct Limit {
  std::string_view constant;  // its name above
  std::string_view what;      // what it bounds, as help shows it
  int64_t value;
  std::string_view unit;  // printed after the value; may be empty
};

// Every constant above, in the order help prints them.
inline constexpr Limit kAll[] = {
    {"kMaxLines", "lines per reservation/order", kMaxLines, ""},
    {"kMaxSkusPerQuery", "SKUs per GetAvailability/Watch", kMaxSkusPerQuery, ""},
    {"kMaxImportRows", "rows per ImportStock", kMaxImportRows, ""},
    {"kMaxGroupMembers", "members per location group", kMaxGroupMembers, ""},
    {"kMaxIdLength", "id length", kMaxIdLength, "characters"},
    {"kMaxTextLength", "text length (reference/name)", kMaxTextLength, "bytes"},
    {"kMaxQuantity", "quantity per request", kMaxQuantity, ""},
    {"kMaxOnHand", "on_hand per stock level", kMaxOnHand, ""},
    {"kMinTtl", "reservation TTL, least", kMinTtl.count(), "s"},
    {"kMaxTtl", "reservation TTL, most", kMaxTtl.count(), "s"},
    {"kDefaultTtl", "reservation TTL, default", kDefaultTtl.count(), "s"},
    {"kMaxPreorderTtl", "preorder TTL and promise_by, most", kMaxPreorderTtl.count(), "s"},
    {"kMaxInboundLines", "lines per inbound", kMaxInboundLines, ""},
    {"kDefaultInboundGrace", "inbound grace, default", kDefaultInboundGrace.count(), "h"},
    {"kDefaultFutureHorizon", "future availability horizon, default", kDefaultFutureHorizon.count(),
     "h"},
    {"kMaxFutureHorizon", "future availability horizon, most", kMaxFutureHorizon.count(), "h"},
    {"kMinPickupHold", "pickup hold, least", kMinPickupHold.count(), "h"},
    {"kMaxPickupHold", "pickup hold, most", kMaxPickupHold.count(), "h"},
    {"kDefaultPickupHold", "pickup hold, default", kDefaultPickupHold.count(), "h"},
    {"kPickupCodeLength", "pickup code length", kPickupCodeLength, "characters"},
    {"kMaxPickupCodeLength", "pickup code in a request", kMaxPickupCodeLength, "characters"},
    {"kMaxPickupAttempts", "wrong pickup codes per order", kMaxPickupAttempts, ""},
    {"kDefaultPageSize", "page size, default", kDefaultPageSize, ""},
    {"kMaxPageSize", "page size, most", kMaxPageSize, ""},
    {"kMaxRequestBytes", "request size", kMaxRequestBytes, "bytes"},
    {"kMaxHttpHeaderBytes", "HTTP request line and headers", kMaxHttpHeaderBytes, "bytes"},
    {"kMaxHttpConnections", "open HTTP connections", kMaxHttpConnections, ""},
    {"kHttpHeaderTimeout", "HTTP request head must arrive within", kHttpHeaderTimeout.count(), "s"},
    {"kHttpIdleTimeout", "idle HTTP connection closed after", kHttpIdleTimeout.count(), "s"},
    {"kSseHeartbeat", "Server-Sent Events heartbeat every", kSseHeartbeat.count(), "s"},
    {"kMaxWatchStreams", "concurrent Watch streams", kMaxWatchStreams, ""},
    {"kWatchBufferEvents", "Watch buffer", kWatchBufferEvents, "events"},
    {"kEventRetention", "events kept for replay", kEventRetention.count(), "h"},
    {"kMaxEventsKept", "events kept for replay, most", kMaxEventsKept, "events"},
    {"kMaxWriterQueue", "writer queue", kMaxWriterQueue, "commands"},
    {"kMaxBatch", "commands per batch", kMaxBatch, ""},
    {"kDefaultCallDeadline", "call deadline if none given", kDefaultCallDeadline.count(), "s"},
    {"kDefaultRequestRetention", "idempotency records kept", kDefaultRequestRetention.count(), "h"},
    {"kReadDurableWait", "a read waits for the fsync it saw, most", kReadDurableWait.count(), "s"},
    {"kMaxMinSequenceWait", "a read waits for oms-min-sequence, most", kMaxMinSequenceWait.count(),
     "s"},
};

}  // namespace oms::limits
