// Every limit of oms in one place, each with its reason. `omsd --help` prints them.
#pragma once

#include <chrono>
#include <cstdint>

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
// Concurrent Watch streams; more are refused with RESOURCE_EXHAUSTED.
inline constexpr int kMaxWatchStreams = 10000;
// Events held in memory for live streams; a stream further behind replays from the log.
inline constexpr int kWatchBufferEvents = 1 << 16;
// Largest gRPC request accepted.
inline constexpr int kMaxRequestBytes = 4 * 1024 * 1024;
// Commands waiting for the writer; beyond this a call fails fast with RESOURCE_EXHAUSTED
// instead of queueing without bound.
inline constexpr int kMaxWriterQueue = 20000;
// Commands applied in one database transaction.
inline constexpr int kMaxBatch = 4096;
// A call without a deadline is treated as having this one: a mutation still waiting for the
// writer after it is answered DEADLINE_EXCEEDED with no effect, so an overload sheds work
// that nobody waits for any more.
inline constexpr std::chrono::seconds kDefaultCallDeadline{30};
// Wrong pickup codes before an order needs a staff override: guessing one of 31^6 codes
// five times is hopeless.
inline constexpr int kMaxPickupAttempts = 5;
// How long idempotency records are kept by default.
inline constexpr std::chrono::hours kDefaultRequestRetention{24};

}  // namespace oms::limits
