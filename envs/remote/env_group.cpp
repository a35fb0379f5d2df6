// EnvGroup: a client session's envs on the server (see internal/env_group.h).
#include "envs/remote/internal/env_group.h"

#include <cstring>
#include <utility>

namespace rein::envs::remote::internal {
namespace {

Welcome describe(const Env& env, size_t n, bool autoreset) {
  Welcome w;
  w.env_id = env.spec() ? env.spec()->id : env.name();
  w.num_envs = static_cast<uint32_t>(n);
  w.autoreset = autoreset;
  w.observation_space = env.observation_space();
  w.action_space = env.action_space();
  if (env.spec()) {
    w.max_episode_steps = env.spec()->max_episode_steps;
    w.reward_threshold = env.spec()->reward_threshold;
  }
  return w;
}

}  // namespace

EnvGroup::EnvGroup(std::vector<std::unique_ptr<Env>> envs, bool autoreset)
    : envs_(std::move(envs)) {
  if (envs_.empty()) throw Error("remote server: a session needs at least one env");
  for (const auto& e : envs_) {
    if (!(e->observation_space() == envs_.front()->observation_space()) ||
        !(e->action_space() == envs_.front()->action_space())) {
      throw Error("remote server: the envs of a session must share their spaces");
    }
  }
  layout_ = Layout(describe(*envs_.front(), envs_.size(), autoreset));
  batch_.resize(layout_);
}

Welcome EnvGroup::welcome(uint32_t max_frame_bytes) const {
  Welcome w = describe(*envs_.front(), envs_.size(), layout_.autoreset);
  w.max_frame_bytes = max_frame_bytes;
  return w;
}

void EnvGroup::copy_row(const Tensor& obs, Tensor& rows, int64_t i) const {
  if (obs.dtype() != layout_.obs_dtype || obs.numel() != layout_.obs_numel) {
    throw Error(str("remote server: env ", i, " returned an observation of ",
                    dtype_name(obs.dtype()), " ", to_string(obs.shape()), ", its space ",
                    layout_.observation_space.to_string(), " says ", dtype_name(layout_.obs_dtype),
                    " ", to_string(layout_.obs_shape)));
  }
  const Tensor src = obs.contiguous();
  const size_t row_bytes = static_cast<size_t>(layout_.obs_numel) * element_size(obs.dtype());
  std::memcpy(static_cast<char*>(rows.raw_data()) + static_cast<size_t>(i) * row_bytes,
              src.raw_data(), row_bytes);
}

const Batch& EnvGroup::reset(const ResetRequest& request) {
  for (size_t i = 0; i < envs_.size(); ++i) {
    std::optional<uint64_t> seed;
    if (request.seed) seed = *request.seed + i;
    const ResetResult r = envs_[i]->reset(seed, request.options);
    copy_row(r.obs, batch_.obs, static_cast<int64_t>(i));
    batch_.infos[i] = r.info;
    batch_.rewards[i] = 0.0;
    batch_.flags[i] = 0;
  }
  needs_reset_ = false;
  return batch_;
}

const Batch& EnvGroup::step(const Tensor& actions) {
  if (needs_reset_) {
    throw Error(str("remote server: step before reset on ", layout_.observation_space.to_string(),
                    " env (send a Reset frame first)"));
  }
  const int64_t k = layout_.action_numel;
  for (size_t i = 0; i < envs_.size(); ++i) {
    const auto row = static_cast<int64_t>(i);
    Env& env = *envs_[i];
    const StepResult r = [&]() -> StepResult {
      if (layout_.action_space.is_discrete()) return env.step(actions.data<int64_t>()[row]);
      if (layout_.action_space.is_box()) {
        return env.step(
            std::span<const float>(actions.data<float>() + row * k, static_cast<size_t>(k)));
      }
      return env.step(
          std::span<const int64_t>(actions.data<int64_t>() + row * k, static_cast<size_t>(k)));
    }();
    batch_.rewards[i] = r.reward;
    batch_.flags[i] = static_cast<uint8_t>((r.terminated ? 1u : 0u) | (r.truncated ? 2u : 0u));
    if (layout_.autoreset && batch_.flags[i] != 0) {
      copy_row(r.obs, batch_.final_obs, row);
      batch_.final_infos[i] = r.info;
      const ResetResult rr = env.reset();
      copy_row(rr.obs, batch_.obs, row);
      batch_.infos[i] = rr.info;
    } else {
      copy_row(r.obs, batch_.obs, row);
      batch_.infos[i] = r.info;
    }
  }
  return batch_;
}

}  // namespace rein::envs::remote::internal
