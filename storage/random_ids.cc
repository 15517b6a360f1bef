// Ids carry 100 random bits: order and reservation ids reveal nothing about each other or
// about pickup codes, which are drawn separately.
#include "storage/random_ids.h"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <cstdlib>

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
  std::string id(prefix);
  id += '_';
  AppendRandom(id, kIdAlphabet, 20);  // 36^20 ≈ 2^103
  return id;
}

std::string RandomIdSource::NewPickupCode() {
  std::string code;
  AppendRandom(code, kCodeAlphabet, 6);  // 31^6 ≈ 887 million
  return code;
}

}  // namespace oms::storage
