// Envs served by another process over TCP (`rein envs serve`, or any server speaking
// docs/REMOTE_ENVS.md): RemoteEnv, one env behind an Env; RemoteVectorEnv, N envs stepped in one
// frame behind a VectorEnv; and make_env/make_vec for ids of the form "remote://HOST:PORT".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "envs/env.h"
#include "envs/registry.h"
#include "envs/remote/protocol.h"
#include "envs/vector_env.h"

namespace rein::envs::remote {

namespace internal {
class Client;
}

// How a client connects. Every field can also come from make_env's kwargs under the same name.
struct ClientOptions {
  std::string token;                                 // the server's --token, if it has one
  int64_t timeout_ms = 30000;                        // longest wait for one reply; 0: wait forever
  int64_t connect_timeout_ms = 5000;                 // resolving and connecting
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;  // largest reply accepted
};

// "remote://HOST:PORT" (HOST may be a name, an IPv4 address or a bracketed IPv6 address).
struct Url {
  std::string host;
  uint16_t port = 0;
};
bool is_remote_id(std::string_view id);  // starts with "remote://"
// Throws rein::Error on anything else, e.g. "remote://host" without a port.
Url parse_url(std::string_view id);

// The options from kwargs: token, timeout_ms, connect_timeout_ms, max_frame_bytes. Unknown keys
// throw (the served env's own arguments belong to `rein envs serve --env-arg`). A missing token
// falls back to the REIN_REMOTE_TOKEN environment variable.
ClientOptions client_options(const Kwargs& kwargs);

// One remote env (a 1-env session without autoreset): reset/step as any Env, each a round trip.
// Connects and handshakes in the constructor. Errors: rein::Error for bad actions (before
// sending); ProtocolError for everything the connection or server reports: EnvError leaves the
// session usable, any other code closes it and later calls throw the same message again.
// Not thread-safe (one thread at a time, as every Env).
class RemoteEnv final : public Env {
 public:
  RemoteEnv(const Url& url, const ClientOptions& options = {});
  ~RemoteEnv() override;

  ResetResult reset(std::optional<uint64_t> seed = std::nullopt,
                    const Kwargs& options = {}) override;
  StepResult step(const Action& action) override;
  const Welcome& welcome() const;  // what the server said about the env

 private:
  std::unique_ptr<internal::Client> client_;
  Tensor obs_;  // this env's own observation buffer, (obs_shape)
};

// N remote envs in one session with same-step autoreset: one Step frame and one StepResult
// frame per step() for all N envs. Semantics and buffers as envs::VectorEnv; env(i) is a
// placeholder that holds the spaces and spec but cannot be stepped on its own.
class RemoteVectorEnv final : public VectorEnv {
 public:
  RemoteVectorEnv(const Url& url, int64_t num_envs, const ClientOptions& options = {});
  ~RemoteVectorEnv() override;

  const VectorStep& reset(std::optional<uint64_t> seed = std::nullopt,
                          const Kwargs& options = {}) override;
  const VectorStep& step(const Tensor& actions) override;
  const Welcome& welcome() const;

 private:
  RemoteVectorEnv(std::unique_ptr<internal::Client> client);
  void copy_batch(bool step);

  std::unique_ptr<internal::Client> client_;
};

// Installs the "remote" scheme in `registry`, so that envs::make("remote://HOST:PORT", kwargs)
// returns a RemoteEnv (its own 1-env session; kwargs as client_options()) and
// envs::make_vec(id, n) n of them, wherever an env id is accepted. Programs that take env ids
// (the rein CLI, the dashboard) call it once at start; calling it again is harmless. Thread-safe.
void register_scheme(Registry& registry = envs::registry());

// make("remote://HOST:PORT", kwargs) and make_vec(...) for remote ids; kwargs as
// client_options(). The result of make_env has spec() set from the server's env (its id).
std::unique_ptr<Env> make_env(std::string_view id, const Kwargs& kwargs = {});
std::unique_ptr<VectorEnv> make_vec(std::string_view id, int64_t num_envs,
                                    const Kwargs& kwargs = {});

}  // namespace rein::envs::remote
