// The env registry: ids like "CartPole-v1" mapped to a factory and an EnvSpec, and make(), which
// builds an env the way gymnasium.make does (kwargs merged over the id's defaults, then
// OrderEnforcing and, when the spec has max_episode_steps, TimeLimit).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envs/env.h"

namespace rein::envs {

// Builds the unwrapped env from the merged kwargs; should reject unknown keys (KwargsReader).
using EnvFactory = std::function<std::unique_ptr<Env>(const Kwargs& kwargs)>;

// Builds the unwrapped env of an id "SCHEME://REST" made on demand rather than registered, such
// as remote://HOST:PORT (installed by rein_remote: envs::remote::register_scheme()). Gets the
// whole id and the kwargs (without max_episode_steps); should set the env's spec (id at least)
// and throw rein::Error for a malformed id or unknown keys.
using SchemeFactory =
    std::function<std::unique_ptr<Env>(std::string_view id, const Kwargs& kwargs)>;

// Thread-safe: registration and make() may be called from several threads.
class Registry {
 public:
  // Throws rein::Error if the id is already registered or malformed (empty, or with spaces).
  void register_env(std::string id, EnvFactory factory, EnvSpec spec = {});
  bool contains(std::string_view id) const;
  // Throws the "unknown env id" error of make() when absent.
  EnvSpec spec(std::string_view id) const;
  std::vector<EnvSpec> specs() const;  // sorted by id, registered ids only

  // Ids "SCHEME://..." (scheme without "://", e.g. "remote") that match no registered id are
  // made by `factory`. Registering a scheme again replaces its factory, so installing is
  // idempotent. Such envs get OrderEnforcing but no TimeLimit from their spec (whatever serves
  // them applies its own limit) unless make() is given max_episode_steps. spec(id) of such an
  // id is {id, description} without connecting anywhere.
  void register_scheme(std::string scheme, SchemeFactory factory, std::string description = {});
  bool has_scheme(std::string_view scheme) const;

  // kwargs override the spec's defaults. Two keys are taken by make itself, like gymnasium.make's
  // keyword arguments: "max_episode_steps" (replaces the spec's limit; "0" or "none" disables it)
  // and "wrappers", wrappers put around the result innermost first (apply_wrappers in
  // image_wrappers.h: "ResizeObservation(shape=64x64), GrayscaleObservation(keep_dim=true)").
  // The result is TimeLimit(OrderEnforcing(env)) with spec() set on it and on the env. Unknown id:
  //   make: unknown env id 'CartPol-v1' (did you mean 'CartPole-v1'? see: rein envs list)
  std::unique_ptr<Env> make(std::string_view id, const Kwargs& kwargs = {}) const;
  // The unwrapped env only (no OrderEnforcing, no TimeLimit): for tests and the checker.
  std::unique_ptr<Env> make_unwrapped(std::string_view id, const Kwargs& kwargs = {}) const;

 private:
  struct Entry {
    EnvSpec spec;
    EnvFactory factory;
  };
  struct Scheme {
    std::string name;  // without "://"
    std::string description;
    SchemeFactory factory;
  };
  const Entry& find(std::string_view id) const;  // caller holds mutex_
  // The scheme that makes `id` when no entry names it; throws for an unhandled scheme.
  const Scheme* find_scheme(std::string_view id) const;  // caller holds mutex_

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::vector<Scheme> schemes_;
};

// The process-wide registry, with the built-in envs registered on first use.
Registry& registry();

// Shorthands for registry().
std::unique_ptr<Env> make(std::string_view id, const Kwargs& kwargs = {});
void register_env(std::string id, EnvFactory factory, EnvSpec spec = {});
std::vector<EnvSpec> list_envs();

// One line for a class with a constructor taking `const Kwargs&`:
//   rein::envs::register_env<MyEnv>("MyEnv-v0", {.max_episode_steps = 200});
template <typename E>
void register_env(std::string id, EnvSpec spec = {}) {
  register_env(
      std::move(id), [](const Kwargs& kw) { return std::make_unique<E>(kw); }, std::move(spec));
}

// The registered ids closest to `id` by edit distance (at most `max` of them, closest first):
// what the "did you mean" hint offers.
std::vector<std::string> close_matches(std::string_view id, const std::vector<std::string>& ids,
                                       size_t max = 3);

}  // namespace rein::envs
