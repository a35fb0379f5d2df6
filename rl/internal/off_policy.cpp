// OffPolicyCore: envs, replay, the collect loop and its checkpoint (off_policy.h).
#include "rl/internal/off_policy.h"

#include <algorithm>
#include <cmath>

#include "envs/wrappers.h"
#include "rl/internal/on_policy.h"
#include "rl/metric_names.h"
#include "rl/metric_sink.h"

namespace rein::rl::internal {

OffPolicyCore::OffPolicyCore(std::string algo, const AgentSetup& setup,
                             const OffPolicyOptions& options)
    : algo_(std::move(algo)),
      options_(options),
      seed_(static_cast<uint64_t>(setup.run.seed)),
      envs_(make_train_envs(setup)),
      encoder_(envs_->single_observation_space(), setup.env_id, options.image),
      N_(setup.run.n_envs),
      D_(encoder_.dim()),
      one_hot_(envs_->single_observation_space().is_discrete() ? encoder_.dim() : 0) {
  ReplayOptions& ro = options_.replay;
  ro.n_envs = N_;
  ro.obs_dim = D_;
  ro.one_hot = one_hot_;
  ro.pixels = options.image;
  ro.owner = algo_;
  const envs::Space& as = envs_->single_action_space();
  if (as.is_discrete()) {
    ro.n_actions = as.discrete().n;
    ro.action_dim = 0;
  } else {
    ro.action_dim = as.flat_dim();
  }
  ro.memory_bytes = memory_budget(setup.memory_bytes);
  std::vector<MemoryUse> uses;
  if (!setup.acting_only) uses.push_back(replay_memory(ro, ro.memory_bytes));
  if (options_.networks) uses.push_back(options_.networks(encoder_, as));
  check_memory(algo_, uses, ro.memory_bytes);
  if (!setup.acting_only) buffer_ = std::make_unique<ReplayBuffer>(ro);
  obs_ = empty({N_, D_});
  scratch_a_.resize(static_cast<size_t>(D_));
  scratch_b_.resize(static_cast<size_t>(D_));
  if (options.image) {
    pixels_a_.resize(static_cast<size_t>(D_));
    pixels_b_.resize(static_cast<size_t>(D_));
  }
  reset_envs(seed_);
}

void OffPolicyCore::reset_envs(uint64_t seed) {
  const envs::VectorStep& s = envs_->reset(seed);
  encoder_.encode(s.obs, obs_.data<float>());
  if (!buffer_) return;
  for (int64_t i = 0; i < N_; ++i)
    buffer_->start(i, stored_row(s.obs, i, scratch_a_.data(), pixels_a_.data()));
}

ObsRow OffPolicyCore::stored_row(const Tensor& batch, int64_t i, float* floats,
                                 uint8_t* pixels) const {
  if (options_.image) {
    encoder_.pixels_row(batch, i, pixels);
    return pixels;
  }
  if (one_hot_ > 0) {
    const envs::Space& os = envs_->single_observation_space();
    floats[0] = static_cast<float>(batch.data<int64_t>()[i] - os.discrete().start);
  } else {
    encoder_.encode_row(batch, i, floats);
  }
  return floats;
}

void OffPolicyCore::collect(MetricSink& sink,
                            const std::function<void(Tensor& env, Tensor& stored)>& act,
                            const std::function<void(const std::vector<uint8_t>& done)>& on_step) {
  if (!buffer_)
    throw Error(str(algo_, ": this agent was loaded to act only (without its replay buffer), ",
                    "so it cannot train; load it with load_agent to train it"));
  Tensor env_actions, stored;
  const int64_t width = options_.replay.action_dim;
  if (!phase_cut_) {
    phase_start_ = global_step_;
    phase_count_ = 0;
  }
  phase_cut_ = false;
  done_.assign(static_cast<size_t>(N_), 0);
  while (phase_count_ < options_.train_freq) {
    // SB3 ends a phase when a callback asks to stop; a phase of train_freq = 1e12 steps, or of
    // episodes in an env that never ends one, would otherwise ignore Ctrl-C and SIGTERM. Unlike
    // SB3, the cut phase is finished by the next collect (after a resume), so the phases and
    // gradient steps stay those of the run never stopped.
    if (stop_ != nullptr && stop_->load()) {
      phase_cut_ = true;
      return;
    }
    act(env_actions, stored);
    const envs::VectorStep& s = envs_->step(env_actions);
    global_step_ += N_;
    const float* r = s.rewards.data<float>();
    const bool* term = s.terminated.data<bool>();
    const bool* trunc = s.truncated.data<bool>();
    for (int64_t i = 0; i < N_; ++i) {
      if (!std::isfinite(r[i]))
        throw NonFiniteError(
            "reward", global_step_,
            str(algo_, ": reward of env ", i, " is ", r[i], " at step ", global_step_));
      const bool done = term[i] || trunc[i];
      // Next observation: the final one when the episode ended (autoreset put the reset
      // observation in s.obs), which a truncated transition bootstraps from.
      const ObsRow next =
          stored_row(done ? s.final_obs : s.obs, i, scratch_a_.data(), pixels_a_.data());
      const ObsRow reset =
          done ? stored_row(s.obs, i, scratch_b_.data(), pixels_b_.data()) : ObsRow(nullptr);
      if (one_hot_ == 0 && next.floats &&
          !std::all_of(next.floats, next.floats + D_, [](float x) { return std::isfinite(x); }))
        throw NonFiniteError("observation", global_step_,
                             str(algo_, ": observation is not finite at step ", global_step_));
      if (width > 0)
        buffer_->add(i, {stored.data<float>() + i * width, static_cast<size_t>(width)}, r[i],
                     term[i], trunc[i], next, reset);
      else
        buffer_->add(i, stored.data<int64_t>()[i], r[i], term[i], trunc[i], next, reset);
      done_[static_cast<size_t>(i)] = done;
      if (done) {
        if (options_.train_freq_episodes) ++phase_count_;
        const envs::Info& info = envs_->final_info(i);
        sink.log(global_step_, metric::kEpisodeReturn, info.number("episode_return"));
        sink.log(global_step_, metric::kEpisodeLength, info.number("episode_length"));
      }
    }
    encoder_.encode(s.obs, obs_.data<float>());
    ++n_calls_;
    if (!options_.train_freq_episodes) ++phase_count_;
    on_step(done_);
  }
}

int64_t OffPolicyCore::due_gradient_steps() const {
  if (!buffer_ || phase_cut_ || global_step_ <= options_.learning_starts || buffer_->size() == 0)
    return 0;
  return options_.gradient_steps >= 0 ? options_.gradient_steps : global_step_ - phase_start_;
}

void OffPolicyCore::state(StateIO& io) {
  io.integer("global_step", global_step_, 0, kMaxCounter);
  io.integer("n_calls", n_calls_, 0, kMaxCounter);
  // Checkpoints at a phase boundary (all of those of a rein without cut phases) have no
  // progress to carry.
  if (io.loading()) phase_cut_ = io.has("phase_start_step");
  if (phase_cut_) {
    io.integer("phase_start_step", phase_start_, 0, global_step_);
    io.integer("phase_count", phase_count_, 0, kMaxCounter);
  }
  bool envs_restored = false;
  // An agent that only acts has no buffer: a saved one, and the envs it goes with, are not read.
  if (buffer_ && options_.save_replay && io.has("replay")) {
    io.object("replay", *buffer_);
    envs_restored = envs_state(io);
    if (envs_restored || !io.loading()) io.tensor("env.obs", obs_);
  }
  if (io.loading() && !envs_restored) reset_envs(seed_ + static_cast<uint64_t>(global_step_));
}

bool OffPolicyCore::envs_state(StateIO& io) {
  if (!io.has("envs")) return false;
  // Each env's physical state, random stream and the episode in progress, so the resumed run
  // steps on from the same states. Envs without state() support restart their episodes instead.
  std::vector<std::vector<double>> physical(static_cast<size_t>(N_));
  try {
    if (!io.loading())
      for (int64_t i = 0; i < N_; ++i)
        physical[static_cast<size_t>(i)] = envs_->env(i).unwrapped().state();
  } catch (const Error&) {
    io.null("envs");
    return false;
  }
  const std::vector<StateIO> saved = io.objects("envs", static_cast<size_t>(N_));
  for (int64_t i = 0; i < N_; ++i) {
    envs::Env& e = envs_->env(i);
    const StateIO& s = saved[static_cast<size_t>(i)];
    auto* stats = envs::find_wrapper<envs::RecordEpisodeStatistics>(e);
    std::vector<double>& values = physical[static_cast<size_t>(i)];
    int64_t steps = stats->episode_length();
    double episode_return = stats->episode_return();
    s.numbers("state", values, std::nullopt);
    s.generator("rng", e.unwrapped().rng());
    s.integer("elapsed_steps", steps, 0, kMaxCounter);
    s.number("episode_return", episode_return);
    if (!s.loading()) continue;
    // set_state checks the values against the env (an index in range, a valid hand ...).
    e.unwrapped().set_state(values);
    stats->set_episode(episode_return, steps);
    if (auto* limit = envs::find_wrapper<envs::TimeLimit>(e)) limit->set_elapsed_steps(steps);
  }
  return true;
}

Tensor OffPolicyCore::encode(const Tensor& raw_obs) const {
  Tensor x = empty({raw_obs.size(0), D_});
  encoder_.encode(raw_obs, x.data<float>());
  return x;
}

void polyak_update(const nn::Module& online, nn::Module& target, double tau) {
  const std::vector<Var> src = online.parameters();
  const std::vector<Var> dst = target.parameters();
  if (src.size() != dst.size())
    throw Error(str("polyak_update: ", src.size(), " online and ", dst.size(),
                    " target parameters (expected the same architecture)"));
  for (size_t i = 0; i < src.size(); ++i) {
    Tensor t = dst[i].value();
    if (tau >= 1.0) {
      t.copy_(src[i].value());
    } else {
      t.mul_(1.0 - tau);
      t.add_(src[i].value(), tau);
    }
  }
}

}  // namespace rein::rl::internal
