// PPO's and A2C's rollout collection (see rl/internal/vec_rollout.h).
#include "rl/internal/vec_rollout.h"

#include <algorithm>
#include <cmath>

#include "rl/metric_names.h"
#include "tensor/ops.h"

namespace rein::rl::internal {
namespace {

// Returns `envs` once the policy, the rollout and the update's batch fit the memory budget.
std::unique_ptr<envs::VectorEnv> fitting_memory(std::unique_ptr<envs::VectorEnv> envs,
                                                const AgentSetup& setup, const ActorCriticSpec& net,
                                                int64_t n_steps, const UpdateMemory& m) {
  const envs::Space& actions = envs->single_action_space();
  const int64_t N = setup.run.n_envs;
  const double rows = std::min(m.batch_rows, static_cast<double>(n_steps) * static_cast<double>(N));
  check_policy_memory(
      m.algo, envs->single_observation_space(), actions, setup, net, m.copies, m.held,
      [&](int64_t D, int64_t A) {
        const double buffer = RolloutBuffer::bytes(n_steps, N, D, A, actions.is_discrete());
        // A minibatch row: observation, action, old log-prob and value, advantage, return.
        const double batch = rows * 4.0 * static_cast<double>(D + std::max<int64_t>(A, 2) + 4);
        return std::vector<MemoryUse>{
            {str("a rollout of n_steps ", n_steps, " x n_envs ", N, " rows of ", D, " floats"),
             buffer, "n_steps or n_envs"},
            {str("update batches of ", static_cast<int64_t>(rows), " rows"), batch,
             m.batch_setting}};
      });
  return envs;
}

}  // namespace

VecRollout::VecRollout(const AgentSetup& setup, const ActorCriticSpec& net, int64_t n_steps,
                       double gamma, const UpdateMemory& memory)
    : envs(fitting_memory(make_train_envs(setup), setup, net, n_steps, memory)),
      policy(envs->single_observation_space(), envs->single_action_space(), setup, net,
             normalize_options(setup.run, gamma)),
      buffer(n_steps, setup.run.n_envs, policy.D, policy.A, policy.discrete),
      N(setup.run.n_envs),
      run_seed(static_cast<uint64_t>(setup.run.seed)),
      obs(empty({N, policy.D})),
      raw(static_cast<size_t>(N * policy.D)) {
  reset(static_cast<uint64_t>(setup.run.seed), true);
}

void VecRollout::reset(uint64_t seed, bool update_stats) {
  const envs::VectorStep& s = envs->reset(seed);
  policy.encoder.encode(s.obs, raw.data());
  if (update_stats) policy.norm.update_obs(raw);
  policy.norm.normalize_obs(raw, {obs.data<float>(), raw.size()});
}

void VecRollout::collect(MetricSink& sink, bool store_log_probs, const char* algo) {
  const int64_t D = policy.D, A = policy.A;
  VecNormalize& norm = policy.norm;
  Tensor actions, log_probs, values;
  std::vector<int64_t> trunc_rows;
  std::vector<float> final_raw(static_cast<size_t>(D));
  if (policy.sde) policy.reset_noise(N);
  for (int64_t t = 0; t < buffer.num_steps(); ++t) {
    // At t = 0 this repeats the draw above, as SB3 does (the generator advances as there).
    if (policy.sde && sde_sample_freq > 0 && t % sde_sample_freq == 0) policy.reset_noise(N);
    std::copy_n(obs.data<float>(), N * D, buffer.obs(t));
    policy.act(obs, false, &actions, store_log_probs ? &log_probs : nullptr, &values);
    if (store_log_probs) std::copy_n(log_probs.data<float>(), N, buffer.log_probs(t));
    std::copy_n(values.data<float>(), N, buffer.values(t));
    if (policy.discrete)
      std::copy_n(actions.data<int64_t>(), N, buffer.discrete_actions(t));
    else
      std::copy_n(actions.data<float>(), N * A, buffer.continuous_actions(t));

    const envs::VectorStep& s = envs->step(policy.env_actions(actions));
    global_step += N;

    float* rewards = buffer.rewards(t);
    uint8_t* dones = buffer.dones(t);
    const float* r = s.rewards.data<float>();
    const bool* done = s.done.data<bool>();
    const bool* term = s.terminated.data<bool>();
    for (int64_t i = 0; i < N; ++i) {
      rewards[i] = r[i];
      dones[i] = done[i] ? 1 : 0;
      if (!std::isfinite(r[i]))
        throw NonFiniteError(
            "reward", global_step,
            str(algo, ": reward of env ", i, " is ", r[i], " at step ", global_step));
      if (done[i]) {
        const envs::Info& info = envs->final_info(i);
        if (info.contains("episode_return")) {
          sink.log(global_step, metric::kEpisodeReturn, info.number("episode_return"));
          sink.log(global_step, metric::kEpisodeLength, info.number("episode_length"));
        }
      }
    }
    policy.encoder.encode(s.obs, raw.data());
    if (!all_finite(raw.data(), N * D))
      throw NonFiniteError("observation", global_step,
                           str(algo, ": observation is not finite at step ", global_step));
    norm.update_obs(raw);
    norm.normalize_obs(raw, {obs.data<float>(), raw.size()});

    // Time-limit bootstrap: V(final observation) of episodes truncated (and not terminated),
    // added as gamma * V to the GAE target (SB3 on_policy_algorithm.py, Pardo et al. 2018).
    float* tv = buffer.truncation_values(t);
    trunc_rows.clear();
    for (int64_t i = 0; i < N; ++i) {
      tv[i] = 0.0f;
      if (done[i] && !term[i]) trunc_rows.push_back(i);
    }
    if (!trunc_rows.empty()) {
      Tensor fin = empty({static_cast<int64_t>(trunc_rows.size()), D});
      for (size_t k = 0; k < trunc_rows.size(); ++k) {
        policy.encoder.encode_row(s.final_obs, trunc_rows[k], final_raw.data());
        norm.normalize_obs(final_raw, {fin.data<float>() + k * D, static_cast<size_t>(D)});
      }
      no_grad guard;
      Tensor fv = policy.model->values(Var(fin)).value();
      for (size_t k = 0; k < trunc_rows.size(); ++k) tv[trunc_rows[k]] = fv.data<float>()[k];
    }
    norm.normalize_rewards({rewards, static_cast<size_t>(N)}, {dones, static_cast<size_t>(N)});
  }
  no_grad guard;
  Tensor last = policy.model->values(Var(obs)).value();
  std::copy_n(last.data<float>(), N, buffer.last_values().data());
}

void VecRollout::state(StateIO& io, optim::Optimizer& opt, int64_t& iteration) {
  policy_gradient_state(io, policy, opt, global_step, iteration);
  if (io.loading()) reset(run_seed + static_cast<uint64_t>(global_step), false);
}

void VecRollout::log_fit_metrics(MetricSink& sink) {
  const double ev = buffer.explained_variance();
  if (std::isfinite(ev)) sink.log(global_step, metric::kExplainedVariance, ev);
  if (!policy.discrete)
    sink.log(global_step, metric::kActionStd, exp(policy.model->log_std().value()).mean().item());
}

}  // namespace rein::rl::internal
