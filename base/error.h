// rein::Error, the one exception type public APIs throw on bad input, and str(), which builds
// messages on the failure path only.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace rein {

// Thrown on bad input at any public API. The message names the operation, what was wrong and
// the values involved, e.g. "matmul: shapes [3, 4] and [5, 2] cannot be multiplied".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// str("a", 1, 'b') == "a1b": concatenates anything with operator<<.
template <typename... Args>
std::string str(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

}  // namespace rein

// Invariants (our bugs, not the user's): checked in Debug and sanitizer builds only.
#if !defined(NDEBUG) || defined(REIN_ENABLE_ASSERTS)
#include <cstdio>
#include <cstdlib>
#define REIN_ASSERT(cond)                                                                 \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: REIN_ASSERT(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
#else
#define REIN_ASSERT(cond) ((void)0)
#endif
