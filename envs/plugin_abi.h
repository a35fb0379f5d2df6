/* The C ABI of rein env plug-ins: a shared library exports one function,
 * rein_env_plugin_entry, that fills a table of env definitions. Pure C: nothing may throw across
 * it; every call returns a status (REIN_OK or REIN_ERROR) and writes a message into `err` on
 * error (`err` has room for err_len characters plus the terminating NUL). rein checks the ABI
 * version, every pointer and every space before registering an env. See docs/CUSTOM_ENVS.md and
 * examples/plugin_env/. */
#ifndef REIN_ENVS_PLUGIN_ABI_H
#define REIN_ENVS_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REIN_ENV_PLUGIN_ABI_VERSION 1u
#define REIN_ENV_PLUGIN_ENTRY "rein_env_plugin_entry"
#define REIN_OK 0
#define REIN_ERROR 1

enum rein_space_kind { REIN_SPACE_DISCRETE = 0, REIN_SPACE_BOX = 1 };

/* Discrete: n values from start (observations/actions exchanged as one double). Box: float32
 * elements of `shape` (at most 8 dims) with per-element bounds low/high (numel values each;
 * +-INFINITY allowed), exchanged as numel doubles in row-major order. The pointers must stay
 * valid for the lifetime of the env instance. */
typedef struct rein_space {
  int32_t kind;
  int64_t n;
  int64_t start;
  int32_t ndim;
  int64_t shape[8];
  const double* low;
  const double* high;
} rein_space;

/* One env type. `create` gets make()'s merged kwargs as parallel key/value arrays and returns
 * an opaque instance; `destroy` frees it (always called, also after errors). */
typedef struct rein_env_def {
  const char* id;               /* e.g. "Corridor-v0" */
  const char* description;      /* one line, may be NULL */
  int64_t max_episode_steps;    /* 0: no time limit */
  int32_t has_reward_threshold; /* 0 or 1 */
  double reward_threshold;
  int (*create)(const char* const* keys, const char* const* values, int32_t num_kwargs,
                void** instance, char* err, size_t err_len);
  void (*destroy)(void* instance);
  int (*spaces)(void* instance, rein_space* observation, rein_space* action, char* err,
                size_t err_len);
  /* has_seed 0: continue the instance's random stream. obs_out holds the observation size. */
  int (*reset)(void* instance, int32_t has_seed, uint64_t seed, double* obs_out, char* err,
               size_t err_len);
  int (*step)(void* instance, const double* action, int64_t action_len, double* obs_out,
              double* reward, int32_t* terminated, int32_t* truncated, char* err, size_t err_len);
  /* Optional (NULL if unsupported): set the physical state after a reset. */
  int (*set_state)(void* instance, const double* state, int64_t len, double* obs_out, char* err,
                   size_t err_len);
} rein_env_def;

typedef struct rein_env_plugin {
  uint32_t abi_version; /* REIN_ENV_PLUGIN_ABI_VERSION the plug-in was built against */
  uint32_t num_envs;
  const rein_env_def* envs; /* static storage inside the plug-in */
} rein_env_plugin;

/* The one exported symbol. host_abi_version is rein's REIN_ENV_PLUGIN_ABI_VERSION. */
typedef int (*rein_env_plugin_entry_fn)(uint32_t host_abi_version, rein_env_plugin* out, char* err,
                                        size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* REIN_ENVS_PLUGIN_ABI_H */
