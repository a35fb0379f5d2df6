// Internals of the random module shared by generator.cpp and its tests.
#pragma once

#include <cstdint>

namespace rein::internal {

// One step of splitmix64: advances x by the golden-ratio increment and returns the mixed value.
uint64_t splitmix64(uint64_t& x);

}  // namespace rein::internal
