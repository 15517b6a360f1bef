// OMS_ASSERT: a broken invariant is a bug. Stop loudly rather than store a wrong number.
// Operator mistakes and bad requests are Status errors, never asserts.
#pragma once

#include <cstdio>
#include <cstdlib>

#define OMS_ASSERT(cond)                                                                         \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "oms: invariant violated at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
