/* Test fixtures: plug-ins that break the ABI in one way each, selected at compile time.
 *   REIN_TEST_OLD_ABI   reports ABI version 999
 *   REIN_TEST_NO_ENTRY  exports no entry point
 *   REIN_TEST_BROKEN    loads, but its envs fail: bad space, bad observation, failing create,
 *                       a step that fails mid-episode */
#include <cstdio>

#include "envs/plugin_abi.h"

#ifndef REIN_TEST_NO_ENTRY
static int fail(char* err, size_t len, const char* m) {
  snprintf(err, len + 1, "%s", m);
  return REIN_ERROR;
}
static int dummy;
static int create_ok(const char* const* k, const char* const* v, int32_t n, void** inst, char* err,
                     size_t len) {
  (void)k;
  (void)v;
  (void)n;
  (void)err;
  (void)len;
  *inst = &dummy;
  return REIN_OK;
}
static int create_fails(const char* const* k, const char* const* v, int32_t n, void** inst,
                        char* err, size_t len) {
  (void)k;
  (void)v;
  (void)n;
  (void)inst;
  return fail(err, len, "no such map 'moon'");
}
static void destroy(void* inst) { (void)inst; }
static int spaces_ok(void* inst, rein_space* o, rein_space* a, char* err, size_t len) {
  (void)inst;
  (void)err;
  (void)len;
  o->kind = REIN_SPACE_DISCRETE;
  o->n = 3;
  o->start = 0;
  a->kind = REIN_SPACE_DISCRETE;
  a->n = 2;
  a->start = 0;
  return REIN_OK;
}
static int spaces_empty(void* inst, rein_space* o, rein_space* a, char* err, size_t len) {
  spaces_ok(inst, o, a, err, len);
  o->n = 0;
  return REIN_OK;
}
static int reset_bad_obs(void* inst, int32_t has_seed, uint64_t seed, double* obs, char* err,
                         size_t len) {
  (void)inst;
  (void)has_seed;
  (void)seed;
  (void)err;
  (void)len;
  obs[0] = 99; /* outside Discrete(3) */
  return REIN_OK;
}
static int step_fails(void* inst, const double* a, int64_t n, double* obs, double* r, int32_t* term,
                      int32_t* trunc, char* err, size_t len) {
  (void)inst;
  (void)a;
  (void)n;
  (void)obs;
  (void)r;
  (void)term;
  (void)trunc;
  return fail(err, len, "simulator exploded");
}
/* BrokenMidEpisode-v0: resets and steps normally, then its third step of an episode fails. */
static int create_counter(const char* const* k, const char* const* v, int32_t n, void** inst,
                          char* err, size_t len) {
  (void)k;
  (void)v;
  (void)n;
  (void)err;
  (void)len;
  *inst = new int(0);
  return REIN_OK;
}
static void destroy_counter(void* inst) { delete static_cast<int*>(inst); }
static int reset_counter(void* inst, int32_t has_seed, uint64_t seed, double* obs, char* err,
                         size_t len) {
  (void)has_seed;
  (void)seed;
  (void)err;
  (void)len;
  *static_cast<int*>(inst) = 0;
  obs[0] = 0;
  return REIN_OK;
}
static int step_fails_third(void* inst, const double* a, int64_t n, double* obs, double* r,
                            int32_t* term, int32_t* trunc, char* err, size_t len) {
  (void)a;
  (void)n;
  int& steps = *static_cast<int*>(inst);
  if (++steps == 3) return fail(err, len, "simulator exploded at step 3");
  obs[0] = steps;
  *r = 1.0;
  *term = 0;
  *trunc = 0;
  return REIN_OK;
}
static const rein_env_def kEnvs[] = {
    {"BrokenSpace-v0", NULL, 0, 0, 0.0, create_ok, destroy, spaces_empty, reset_bad_obs, step_fails,
     NULL},
    {"BrokenObs-v0", NULL, 0, 0, 0.0, create_ok, destroy, spaces_ok, reset_bad_obs, step_fails,
     NULL},
    {"BrokenCreate-v0", NULL, 0, 0, 0.0, create_fails, destroy, spaces_ok, reset_bad_obs,
     step_fails, NULL},
    {"BrokenMidEpisode-v0", NULL, 0, 0, 0.0, create_counter, destroy_counter, spaces_ok,
     reset_counter, step_fails_third, NULL},
};

extern "C" __attribute__((visibility("default"))) int rein_env_plugin_entry(uint32_t host,
                                                                            rein_env_plugin* out,
                                                                            char* err, size_t len) {
  (void)host;
  (void)err;
  (void)len;
#ifdef REIN_TEST_OLD_ABI
  out->abi_version = 999;
#else
  out->abi_version = REIN_ENV_PLUGIN_ABI_VERSION;
#endif
  out->num_envs = 4;
  out->envs = kEnvs;
  return REIN_OK;
}
#else
extern "C" __attribute__((visibility("default"))) int not_the_entry_point(void) { return 0; }
#endif
