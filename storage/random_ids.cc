// Ids carry 72 random bits after a time prefix: order and reservation ids reveal nothing
// about each other or about pickup codes, which are drawn separately.
#include "storage/random_ids.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>

#include "domain/limits.h"

namespace oms::storage {
namespace {

constexpr std::string_view kIdAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
// Read aloud and typed at a counter: no 0/O or 1/I/L look-alikes.
constexpr std::string_view kCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

// Appends `n` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
void AppendRandom(std::string& out, std::string_view alphabet, int n) {
  const unsigned limit = 256 - 256 % alphabet.size();
  std::array<unsigned char, 64> buf;
  while (n > 0) {
    if (getrandom(buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) std::abort();
    for (unsigned char b : buf) {
      if (b >= limit) continue;
      out += alphabet[b % alphabet.size()];
      if (--n == 0) break;
    }
  }
}

}  // namespace

std::string RandomIdSource::NewId(std::string_view prefix) {
  // Time first, so new rows append at the end of their B-tree instead of dirtying a random
  // page each; then 14 random characters (36^14 ≈ 2^72), so ids cannot be guessed.
  std::string id(prefix);
  id += '_';
  uint64_t micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  char time[11];
  for (int i = 10; i >= 0; --i, micros /= 36) time[i] = kIdAlphabet[micros % 36];
  id.append(time, sizeof(time));
  AppendRandom(id, kIdAlphabet, 14);
  return id;
}

std::string RandomIdSource::NewPickupCode() {
  std::string code;
  AppendRandom(code, kCodeAlphabet, limits::kPickupCodeLength);
  return code;
}

}  // namespace oms::storage
