// RemoteEnv, RemoteVectorEnv and the "remote://HOST:PORT" ids (see remote_env.h).
#include "envs/remote/remote_env.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "envs/registry.h"
#include "envs/remote/internal/client.h"

namespace rein::envs::remote {
namespace {

constexpr std::string_view kScheme = "remote://";

EnvSpec served_spec(const Welcome& w, const std::string& peer) {
  EnvSpec spec;
  spec.id = str(kScheme, peer);
  spec.max_episode_steps = w.max_episode_steps;  // informative: the server applies the limit
  spec.reward_threshold = w.reward_threshold;
  spec.description = str(w.env_id, " served at ", peer);
  return spec;
}

// What env(i) of a RemoteVectorEnv holds: the spaces and spec of a served env, no stepping.
class ServedEnv final : public Env {
 public:
  ServedEnv(const Welcome& w, const std::string& peer) {
    observation_space_ = w.observation_space;
    action_space_ = w.action_space;
    set_spec(served_spec(w, peer));
  }
  ResetResult reset(std::optional<uint64_t>, const Kwargs&) override { refuse(); }
  StepResult step(const Action&) override { refuse(); }

 private:
  [[noreturn]] void refuse() const {
    throw Error(str("RemoteVectorEnv: env ", spec()->id,
                    " runs on the server; reset() and step() the vector env instead"));
  }
};

std::vector<std::unique_ptr<Env>> placeholders(const internal::Client& client) {
  std::vector<std::unique_ptr<Env>> envs;
  for (int64_t i = 0; i < client.layout().num_envs; ++i) {
    envs.push_back(std::make_unique<ServedEnv>(client.welcome(), client.peer()));
  }
  return envs;
}

}  // namespace

bool is_remote_id(std::string_view id) { return id.starts_with(kScheme); }

Url parse_url(std::string_view id) {
  const auto bad = [&](const char* why) {
    return Error(str("remote env id '", id, "': ", why,
                     " (expected remote://HOST:PORT, e.g. remote://127.0.0.1:5555)"));
  };
  if (!is_remote_id(id)) throw bad("does not start with remote://");
  std::string_view rest = id.substr(kScheme.size());
  Url url;
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      throw bad("an IPv6 host must be written [ADDRESS]:PORT");
    }
    url.host = std::string(rest.substr(1, close - 1));
    port = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) throw bad("no port");
    url.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
    if (url.host.find(':') != std::string::npos) throw bad("an IPv6 host needs brackets");
  }
  if (url.host.empty()) throw bad("no host");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    throw bad("the port must be a number from 1 to 65535");
  }
  url.port = static_cast<uint16_t>(value);
  return url;
}

ClientOptions client_options(const Kwargs& kwargs) {
  ClientOptions o;
  KwargsReader kw("remote env", kwargs);
  const char* env_token = std::getenv("REIN_REMOTE_TOKEN");
  o.token = kw.get_string("token", env_token != nullptr ? env_token : "");
  o.timeout_ms = kw.get_int("timeout_ms", o.timeout_ms);
  o.connect_timeout_ms = kw.get_int("connect_timeout_ms", o.connect_timeout_ms);
  const int64_t max_frame = kw.get_int("max_frame_bytes", o.max_frame_bytes);
  try {
    kw.finish();
  } catch (const Error& e) {
    throw Error(str(e.what(),
                    "; the served env's own arguments go to "
                    "`rein envs serve ENV --env-arg key=value`"));
  }
  if (o.timeout_ms < 0 || o.connect_timeout_ms < 0) {
    throw Error(str("remote env: timeouts must be >= 0 ms (0 waits forever), got timeout_ms=",
                    o.timeout_ms, " connect_timeout_ms=", o.connect_timeout_ms));
  }
  if (max_frame < 64 || max_frame > 0xffffffffLL) {
    throw Error(str("remote env: max_frame_bytes must be in [64, 4294967295], got ", max_frame));
  }
  o.max_frame_bytes = static_cast<uint32_t>(max_frame);
  return o;
}

// ---- RemoteEnv ----

RemoteEnv::RemoteEnv(const Url& url, const ClientOptions& options)
    : client_(std::make_unique<internal::Client>(url, options, 1, false)) {
  const Welcome& w = client_->welcome();
  observation_space_ = w.observation_space;
  action_space_ = w.action_space;
  set_spec(served_spec(w, client_->peer()));
}

RemoteEnv::~RemoteEnv() = default;

const Welcome& RemoteEnv::welcome() const { return client_->welcome(); }

ResetResult RemoteEnv::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  const Batch& b = client_->reset(ResetRequest{.seed = seed, .options = options});
  // A view of row 0 of the client's batch buffer, which later frames overwrite in place.
  if (!obs_.defined() || !obs_.shares_storage(b.obs)) obs_ = b.obs.select(0, 0);
  info_ = b.infos[0];
  return {obs_, info_};
}

StepResult RemoteEnv::step(const Action& action) {
  const Batch& b = client_->step(action);
  if (!obs_.defined() || !obs_.shares_storage(b.obs)) obs_ = b.obs.select(0, 0);
  info_ = b.infos[0];
  return {obs_, b.rewards[0], b.terminated(0), b.truncated(0), info_};
}

// ---- RemoteVectorEnv ----

RemoteVectorEnv::RemoteVectorEnv(const Url& url, int64_t num_envs, const ClientOptions& options)
    : RemoteVectorEnv([&] {
        if (num_envs < 1 || num_envs > 0xffffffffLL) {
          throw Error(str("RemoteVectorEnv: num_envs must be >= 1, got ", num_envs));
        }
        return std::make_unique<internal::Client>(url, options, static_cast<uint32_t>(num_envs),
                                                  true);
      }()) {}

RemoteVectorEnv::RemoteVectorEnv(std::unique_ptr<internal::Client> client)
    : VectorEnv(placeholders(*client)), client_(std::move(client)) {}

RemoteVectorEnv::~RemoteVectorEnv() = default;

const Welcome& RemoteVectorEnv::welcome() const { return client_->welcome(); }

void RemoteVectorEnv::copy_batch(bool step) {
  const Batch& b = client_->batch();
  const auto row_bytes = static_cast<size_t>(obs_row_bytes_);
  char* obs = static_cast<char*>(buf_.obs.raw_data());
  char* final_obs = static_cast<char*>(buf_.final_obs.raw_data());
  std::memcpy(obs, b.obs.raw_data(), row_bytes * static_cast<size_t>(num_envs()));
  float* rewards = buf_.rewards.data<float>();
  bool* terminated = buf_.terminated.data<bool>();
  bool* truncated = buf_.truncated.data<bool>();
  bool* done = buf_.done.data<bool>();
  for (int64_t i = 0; i < num_envs(); ++i) {
    const auto k = static_cast<size_t>(i);
    rewards[i] = static_cast<float>(b.rewards[k]);
    terminated[i] = b.terminated(i);
    truncated[i] = b.truncated(i);
    done[i] = b.flags[k] != 0;
    infos_[k] = b.infos[k];
    if (!step) {
      final_infos_[k].clear();
    } else if (done[i]) {
      std::memcpy(final_obs + k * row_bytes,
                  static_cast<const char*>(b.final_obs.raw_data()) + k * row_bytes, row_bytes);
      final_infos_[k] = b.final_infos[k];
    }
  }
}

const VectorStep& RemoteVectorEnv::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  client_->reset(ResetRequest{.seed = seed, .options = options});
  copy_batch(false);
  needs_reset_ = false;
  return buf_;
}

const VectorStep& RemoteVectorEnv::step(const Tensor& actions) {
  check_actions(actions);
  client_->step(actions);
  copy_batch(true);
  return buf_;
}

void register_scheme(Registry& registry) {
  registry.register_scheme(
      std::string(kScheme.substr(0, kScheme.size() - 3)),
      [](std::string_view id, const Kwargs& kwargs) { return make_env(id, kwargs); },
      "an env served over TCP (rein envs serve, docs/REMOTE_ENVS.md)");
}

std::unique_ptr<Env> make_env(std::string_view id, const Kwargs& kwargs) {
  return std::make_unique<RemoteEnv>(parse_url(id), client_options(kwargs));
}

std::unique_ptr<VectorEnv> make_vec(std::string_view id, int64_t num_envs, const Kwargs& kwargs) {
  return std::make_unique<RemoteVectorEnv>(parse_url(id), num_envs, client_options(kwargs));
}

}  // namespace rein::envs::remote
