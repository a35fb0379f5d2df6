// VectorEnv's shared per-env work (reset_one/step_one with same-step autoreset),
// SyncVectorEnv and make_vec. ThreadedVectorEnv lives in threaded_vector_env.cpp.
#include "envs/vector_env.h"

#include <cstring>

#include "envs/registry.h"

namespace rein::envs {
namespace {

Shape batched(int64_t n, const Shape& shape) {
  Shape out{n};
  for (int64_t d : shape) out.push_back(d);
  return out;
}

}  // namespace

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Env>> envs) : envs_(std::move(envs)) {
  if (envs_.empty()) throw Error("VectorEnv: needs at least one env");
  for (size_t i = 0; i < envs_.size(); ++i) {
    if (!envs_[i]) throw Error(str("VectorEnv: env ", i, " is null"));
    if (!(envs_[i]->observation_space() == envs_[0]->observation_space()) ||
        !(envs_[i]->action_space() == envs_[0]->action_space())) {
      throw Error(str(
          "VectorEnv: env ", i, " has spaces ", envs_[i]->observation_space().to_string(), " / ",
          envs_[i]->action_space().to_string(), ", env 0 has ",
          envs_[0]->observation_space().to_string(), " / ", envs_[0]->action_space().to_string()));
    }
  }
  const int64_t n = num_envs();
  const Space& os = single_observation_space();
  buf_.obs = zeros(batched(n, os.shape()), os.dtype());
  buf_.final_obs = zeros(batched(n, os.shape()), os.dtype());
  buf_.rewards = zeros(Shape{n}, Dtype::Float32);
  buf_.terminated = zeros(Shape{n}, Dtype::Bool);
  buf_.truncated = zeros(Shape{n}, Dtype::Bool);
  buf_.done = zeros(Shape{n}, Dtype::Bool);
  infos_.resize(envs_.size());
  final_infos_.resize(envs_.size());
  reset_next_.assign(envs_.size(), 0);
  obs_row_bytes_ = os.flat_dim() * static_cast<int64_t>(element_size(os.dtype()));
  obs_ptr_ = static_cast<char*>(buf_.obs.raw_data());
  final_obs_ptr_ = static_cast<char*>(buf_.final_obs.raw_data());
  rewards_ptr_ = buf_.rewards.data<float>();
  terminated_ptr_ = buf_.terminated.data<bool>();
  truncated_ptr_ = buf_.truncated.data<bool>();
  done_ptr_ = buf_.done.data<bool>();
}

void VectorEnv::check_actions(const Tensor& actions) const {
  const Space& as = single_action_space();
  const Shape expected = batched(num_envs(), as.shape());
  const Dtype dtype = as.is_box() ? Dtype::Float32 : Dtype::Int64;
  if (!actions.defined() || actions.dtype() != dtype || !(actions.shape() == expected) ||
      !actions.is_contiguous()) {
    throw Error(str("VectorEnv.step: actions must be contiguous ", dtype_name(dtype), " ",
                    to_string(expected), " for ", num_envs(), " envs with action space ",
                    as.to_string(), "; got ",
                    actions.defined() ? dtype_name(actions.dtype()) : "undefined", " ",
                    actions.defined() ? to_string(actions.shape()) : ""));
  }
  if (needs_reset_) throw Error("VectorEnv.step: call reset() before step()");
}

void VectorEnv::write_row(char* batch, int64_t i, const Tensor& obs) const {
  if (obs.dtype() != buf_.obs.dtype() || !obs.is_contiguous() ||
      obs.numel() * static_cast<int64_t>(element_size(obs.dtype())) != obs_row_bytes_) {
    throw Error(str("VectorEnv: env ", i, " returned an observation of ", dtype_name(obs.dtype()),
                    " ", to_string(obs.shape()), " that does not fit its space ",
                    single_observation_space().to_string()));
  }
  char* dst = batch + i * obs_row_bytes_;
  std::memcpy(dst, obs.raw_data(), static_cast<size_t>(obs_row_bytes_));
}

void VectorEnv::reset_one(int64_t i, std::optional<uint64_t> seed, const Kwargs& options) {
  const auto k = static_cast<size_t>(i);
  ResetResult r = envs_[k]->reset(seed, options);
  write_row(obs_ptr_, i, r.obs);
  infos_[k] = r.info;
  final_infos_[k].clear();
  rewards_ptr_[i] = 0.0f;
  terminated_ptr_[i] = false;
  truncated_ptr_[i] = false;
  done_ptr_[i] = false;
  reset_next_[k] = 0;
}

const void* VectorEnv::action_data(const Tensor& actions) {
  return actions.dtype() == Dtype::Float32 ? static_cast<const void*>(actions.data<float>())
                                           : static_cast<const void*>(actions.data<int64_t>());
}

void VectorEnv::step_one(int64_t i, const void* actions) {
  const auto k = static_cast<size_t>(i);
  if (reset_next_[k]) {  // NextStep: this step is the reset; the action is ignored
    reset_one(i, std::nullopt, {});
    return;
  }
  Env& env = *envs_[k];
  const Space& as = env.action_space();
  StepResult r = [&] {
    switch (as.kind()) {
      case SpaceKind::Discrete:
        return env.step(Action(static_cast<const int64_t*>(actions)[i]));
      case SpaceKind::Box: {
        const auto width = static_cast<size_t>(as.flat_dim());
        return env.step(
            Action(std::span<const float>(static_cast<const float*>(actions) + i * width, width)));
      }
      case SpaceKind::MultiDiscrete: {
        const auto width = static_cast<size_t>(as.flat_dim());
        return env.step(Action(
            std::span<const int64_t>(static_cast<const int64_t*>(actions) + i * width, width)));
      }
    }
    throw Error("VectorEnv.step: unknown action space kind");
  }();
  rewards_ptr_[i] = static_cast<float>(r.reward);
  terminated_ptr_[i] = r.terminated;
  truncated_ptr_[i] = r.truncated;
  const bool done = r.terminated || r.truncated;
  done_ptr_[i] = done;
  if (!done || autoreset_ == AutoresetMode::NextStep) {
    reset_next_[k] = done ? 1 : 0;
    write_row(obs_ptr_, i, r.obs);
    infos_[k] = r.info;
    return;
  }
  // Same-step autoreset: keep the final observation and info, then start the next episode.
  write_row(final_obs_ptr_, i, r.obs);
  final_infos_[k] = r.info;
  ResetResult reset = env.reset();
  write_row(obs_ptr_, i, reset.obs);
  infos_[k] = reset.info;
}

// ---- SyncVectorEnv ----

SyncVectorEnv::SyncVectorEnv(std::vector<std::unique_ptr<Env>> envs) : VectorEnv(std::move(envs)) {}

const VectorStep& SyncVectorEnv::reset(std::optional<uint64_t> seed, const Kwargs& options) {
  for (int64_t i = 0; i < num_envs(); ++i) {
    reset_one(i, seed ? std::optional<uint64_t>(*seed + static_cast<uint64_t>(i)) : std::nullopt,
              options);
  }
  needs_reset_ = false;
  return buf_;
}

const VectorStep& SyncVectorEnv::step(const Tensor& actions) {
  check_actions(actions);
  const void* data = action_data(actions);
  try {
    for (int64_t i = 0; i < num_envs(); ++i) step_one(i, data);
  } catch (...) {
    needs_reset_ = true;  // envs before the failing one stepped, the rest did not
    throw;
  }
  return buf_;
}

// ---- make_vec ----

std::unique_ptr<VectorEnv> make_vec(std::string_view id, int64_t num_envs,
                                    const VectorOptions& options) {
  if (num_envs < 1) throw Error(str("make_vec: num_envs must be >= 1, got ", num_envs));
  std::vector<std::unique_ptr<Env>> envs;
  envs.reserve(static_cast<size_t>(num_envs));
  for (int64_t i = 0; i < num_envs; ++i) {
    std::unique_ptr<Env> env = make(id, options.kwargs);
    if (options.wrap) env = options.wrap(std::move(env));
    envs.push_back(std::move(env));
  }
  std::unique_ptr<VectorEnv> venv;
  if (options.mode == VectorMode::Threaded) {
    venv = std::make_unique<ThreadedVectorEnv>(std::move(envs), options.num_threads);
  } else {
    venv = std::make_unique<SyncVectorEnv>(std::move(envs));
  }
  venv->set_autoreset(options.autoreset);
  return venv;
}

}  // namespace rein::envs
