// An env plug-in for rein: two corridor envs behind the C ABI of envs/plugin_abi.h.
//   Corridor-v0            walk right along a corridor (Discrete position, Discrete(2) moves)
//   ContinuousCorridor-v0  the same with a position in [0, length] and a velocity in [-1, 1]
// Build it as a shared library (see CMakeLists.txt here) and load it with
//   rein envs list --plugin ./librein_corridor_plugin.so
// Nothing may throw across the ABI: every function returns REIN_OK or REIN_ERROR plus a message.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "envs/plugin_abi.h"

namespace {

struct Corridor {
  bool continuous = false;
  int64_t length = 8;
  double position = 0;
  uint64_t rng = 1;  // splitmix64 state: the instance's own random stream
  double low[1] = {0.0}, high[1] = {0.0};
  double act_low[1] = {-1.0}, act_high[1] = {1.0};

  double uniform() {  // [0, 1)
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
};

int fail(char* err, size_t len, const char* message) {
  std::snprintf(err, len + 1, "%s", message);
  return REIN_ERROR;
}

int create(bool continuous, const char* const* keys, const char* const* values, int32_t n,
           void** instance, char* err, size_t len) {
  auto* c = new (std::nothrow) Corridor();
  if (c == nullptr) return fail(err, len, "out of memory");
  c->continuous = continuous;
  for (int32_t i = 0; i < n; ++i) {
    if (std::strcmp(keys[i], "length") == 0) {
      char* end = nullptr;
      c->length = std::strtoll(values[i], &end, 10);
      if (*end != '\0' || c->length < 2 || c->length > 1000) {
        delete c;
        return fail(err, len, "argument 'length' must be an integer in [2, 1000]");
      }
    } else {
      char message[256];
      std::snprintf(message, sizeof message, "unknown argument '%s' (accepted: length)", keys[i]);
      delete c;
      return fail(err, len, message);
    }
  }
  c->high[0] = static_cast<double>(c->length - 1);
  *instance = c;
  return REIN_OK;
}

int create_discrete(const char* const* k, const char* const* v, int32_t n, void** inst, char* e,
                    size_t l) {
  return create(false, k, v, n, inst, e, l);
}
int create_continuous(const char* const* k, const char* const* v, int32_t n, void** inst, char* e,
                      size_t l) {
  return create(true, k, v, n, inst, e, l);
}

void destroy(void* instance) { delete static_cast<Corridor*>(instance); }

int spaces(void* instance, rein_space* obs, rein_space* act, char*, size_t) {
  auto* c = static_cast<Corridor*>(instance);
  if (c->continuous) {
    *obs = rein_space{REIN_SPACE_BOX, 0, 0, 1, {1}, c->low, c->high};
    *act = rein_space{REIN_SPACE_BOX, 0, 0, 1, {1}, c->act_low, c->act_high};
  } else {
    *obs = rein_space{REIN_SPACE_DISCRETE, c->length, 0, 0, {}, nullptr, nullptr};
    *act = rein_space{REIN_SPACE_DISCRETE, 2, 0, 0, {}, nullptr, nullptr};
  }
  return REIN_OK;
}

int reset(void* instance, int32_t has_seed, uint64_t seed, double* obs, char*, size_t) {
  auto* c = static_cast<Corridor*>(instance);
  if (has_seed) c->rng = seed;
  // Start somewhere in the first half of the corridor.
  c->position = std::floor(c->uniform() * static_cast<double>(c->length / 2));
  obs[0] = c->position;
  return REIN_OK;
}

int step(void* instance, const double* action, int64_t action_len, double* obs, double* reward,
         int32_t* terminated, int32_t* truncated, char* err, size_t len) {
  auto* c = static_cast<Corridor*>(instance);
  if (action_len != 1) return fail(err, len, "expected one action value");
  double move =
      c->continuous ? std::fmax(-1.0, std::fmin(1.0, action[0])) : (action[0] == 1.0 ? 1.0 : -1.0);
  if (!c->continuous && c->uniform() < 0.1) move = -move;  // slippery floor
  c->position = std::fmax(0.0, std::fmin(static_cast<double>(c->length - 1), c->position + move));
  const bool at_goal = c->position >= static_cast<double>(c->length - 1);
  obs[0] = c->position;
  *reward = at_goal ? 1.0 : -0.01;
  *terminated = at_goal ? 1 : 0;
  *truncated = 0;
  return REIN_OK;
}

int set_state(void* instance, const double* state, int64_t n, double* obs, char* err, size_t len) {
  auto* c = static_cast<Corridor*>(instance);
  if (n != 1 || !(state[0] >= 0) || state[0] > static_cast<double>(c->length - 1)) {
    return fail(err, len, "state is [position] with 0 <= position <= length - 1");
  }
  c->position = c->continuous ? state[0] : std::floor(state[0]);
  obs[0] = c->position;
  return REIN_OK;
}

const rein_env_def kEnvs[] = {
    {"Corridor-v0", "walk right along a slippery corridor", 100, 1, 0.8, create_discrete, destroy,
     spaces, reset, step, set_state},
    {"ContinuousCorridor-v0", "walk right with a velocity in [-1, 1]", 100, 0, 0.0,
     create_continuous, destroy, spaces, reset, step, set_state},
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int rein_env_plugin_entry(
    uint32_t host_abi_version, rein_env_plugin* out, char* err, size_t len) {
  if (host_abi_version != REIN_ENV_PLUGIN_ABI_VERSION) {
    return fail(err, len, "this plug-in needs plug-in ABI version 1");
  }
  out->abi_version = REIN_ENV_PLUGIN_ABI_VERSION;
  out->num_envs = sizeof kEnvs / sizeof kEnvs[0];
  out->envs = kEnvs;
  return REIN_OK;
}
