// The actor-critic policy and update helpers of PPO, A2C and REINFORCE (rl/internal/on_policy.h).
#include "rl/internal/on_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/distributions.h"
#include "autograd/ops.h"
#include "envs/wrappers.h"
#include "rl/metric_names.h"

namespace rein::rl::internal {

std::unique_ptr<envs::VectorEnv> make_train_envs(const AgentSetup& setup) {
  envs::VectorOptions vo;
  vo.kwargs = setup.env_kwargs;  // make() applies the time limit (max_episode_steps wins)
  // With one env a thread per env only adds hand-offs; the threads go to training.
  if (setup.run.threads > 1 && setup.run.n_envs > 1) {
    vo.mode = envs::VectorMode::Threaded;
    vo.num_threads = static_cast<int>(setup.run.threads);
  }
  vo.wrap = [](std::unique_ptr<envs::Env> e) -> std::unique_ptr<envs::Env> {
    return std::make_unique<envs::RecordEpisodeStatistics>(std::move(e));
  };
  return envs::make_vec(setup.env_id, setup.run.n_envs, vo);
}

ActorCriticSpec net_spec(const std::string& net_arch, const std::string& activation, bool shared,
                         bool ortho_init, double log_std_init,
                         std::optional<distributions::StateDependentNoiseOptions> sde,
                         const std::string& policy) {
  ActorCriticSpec spec;
  spec.cnn = is_cnn_policy(policy);
  spec.hidden = parse_net_arch(net_arch);
  spec.activation = nn::activation_from_string(activation);
  spec.shared = shared;
  spec.ortho_init = ortho_init;
  spec.log_std_init = log_std_init;
  spec.sde = sde;
  return spec;
}

double actor_critic_parameters(const ActorCriticSpec& net) {
  const int64_t actions =
      net.action_space.is_discrete() ? net.action_space.discrete().n : net.action_space.flat_dim();
  int64_t in = net.obs_dim;
  double n = 0;
  if (!net.image.empty()) {
    n += nature_cnn_parameters(net.image, net.features_dim);
    in = net.features_dim;
  }
  if (!net.shared || net.hidden.empty()) {
    n += mlp_parameters(in, net.hidden, actions) + mlp_parameters(in, net.hidden, 1);
  } else {
    const auto h = static_cast<double>(net.hidden.back() + 1);  // the two heads on the trunk
    n += mlp_parameters(in, net.hidden, 0) + h * static_cast<double>(actions + 1);
  }
  const int64_t latent = net.hidden.empty() ? in : net.hidden.back();
  if (net.sde) return n + static_cast<double>(latent * (net.sde->full_std ? actions : 1));
  return n + (net.action_space.is_box() ? static_cast<double>(actions) : 0.0);
}

void check_policy_memory(
    const char* algo, const envs::Space& observation_space, const envs::Space& action_space,
    const AgentSetup& setup, ActorCriticSpec net, int copies, const std::string& held,
    const std::function<std::vector<MemoryUse>(int64_t D, int64_t A)>& buffers) {
  const ObsEncoder encoder(observation_space, setup.env_id, net.cnn);
  net.obs_dim = encoder.dim();
  net.image = encoder.image_shape();
  net.action_space = action_space;
  std::vector<MemoryUse> uses{network_memory(actor_critic_parameters(net), copies, held)};
  if (buffers) {
    const int64_t A = action_space.is_box() ? action_space.flat_dim() : 1;
    for (MemoryUse& u : buffers(encoder.dim(), A)) uses.push_back(std::move(u));
  }
  check_memory(algo, uses, memory_budget(setup.memory_bytes));
}

VecNormalizeOptions normalize_options(const RunConfig& run, double gamma) {
  return {.normalize_obs = run.normalize_obs,
          .normalize_reward = run.normalize_reward,
          .clip_obs = run.clip_obs,
          .clip_reward = run.clip_reward,
          .gamma = gamma};
}

ActorCriticPolicy::ActorCriticPolicy(const envs::Space& observation_space,
                                     const envs::Space& action_space, const AgentSetup& setup,
                                     ActorCriticSpec net, VecNormalizeOptions norm_options)
    : encoder(observation_space, setup.env_id, net.cnn),
      D(encoder.dim()),
      A(action_space.is_box() ? action_space.flat_dim() : 1),
      discrete(action_space.is_discrete()),
      gen(static_cast<uint64_t>(setup.run.seed)),
      norm(setup.run.n_envs, encoder.dim(), norm_options),
      sde(net.sde) {
  if (sde && !action_space.is_box())
    throw Error(str("use_sde = true needs a Box (continuous) action space, but ", setup.env_id,
                    " has ", action_space.to_string(), ": gSDE perturbs continuous actions. ",
                    "Train without it (--set use_sde=false)"));
  if (action_space.is_box()) {
    low = action_space.box().low;
    high = action_space.box().high;
  }
  net.obs_dim = D;
  net.image = encoder.image_shape();
  net.action_space = action_space;
  Generator init_gen = gen.split();
  model = std::make_unique<ActorCritic>(net, init_gen);
  if (sde) reset_noise(1);
}

void ActorCriticPolicy::reset_noise(int64_t batch) {
  no_grad guard;
  exploration.resample(model->log_std(), A, batch, *sde, gen);
}

void ActorCriticPolicy::act(const Tensor& obs, bool deterministic, Tensor* actions,
                            Tensor* log_probs, Tensor* values) {
  no_grad guard;
  if (sde) {
    auto out = model->forward_latent(Var(obs));
    if (values) *values = out.values.value();
    distributions::StateDependentNoise dist(out.head, model->log_std(), out.latent, *sde);
    *actions = (deterministic ? dist.mode() : dist.sample(exploration)).value().clone();
    if (log_probs) *log_probs = dist.log_prob(Var(*actions)).value();
    return;
  }
  auto [head, v] = model->forward_both(Var(obs));
  if (values) *values = v.value();
  if (discrete) {
    distributions::Categorical dist(head);
    *actions = deterministic ? dist.mode() : dist.sample(gen);
    if (log_probs) *log_probs = dist.log_prob(*actions).value();
  } else {
    distributions::Normal dist(head, expand(exp(model->log_std()), head.shape()));
    *actions = deterministic ? head.value().clone() : dist.sample(gen);
    if (log_probs) *log_probs = dist.log_prob(Var(*actions)).value();
  }
}

ActorCriticPolicy::Evaluation ActorCriticPolicy::evaluate_actions(const Tensor& obs,
                                                                  const Tensor& actions) {
  if (sde) {
    auto out = model->forward_latent(Var(obs));
    distributions::StateDependentNoise dist(out.head, model->log_std(), out.latent, *sde);
    Var log_prob = dist.log_prob(Var(actions));
    return {out.values, log_prob, sde->squash_output ? -log_prob : dist.entropy()};
  }
  auto [head, v] = model->forward_both(Var(obs));  // (B, A), (B)
  if (discrete) {
    distributions::Categorical dist(head);
    return {v, dist.log_prob(actions), dist.entropy()};
  }
  distributions::Normal dist(head, expand(exp(model->log_std()), head.shape()));
  return {v, dist.log_prob(Var(actions)), dist.entropy()};
}

Tensor ActorCriticPolicy::env_actions(const Tensor& actions) const {
  if (discrete) return actions;
  Tensor out = actions.clone();
  float* p = out.data<float>();
  const bool squashed = sde && sde->squash_output;
  for (int64_t r = 0, rows = out.size(0); r < rows; ++r)
    for (int64_t j = 0; j < A; ++j) {
      float& x = p[r * A + j];
      const double lo = low[static_cast<size_t>(j)], hi = high[static_cast<size_t>(j)];
      // SB3 unscale_action: low + (a + 1) (high - low) / 2 for actions squashed into [-1, 1].
      x = static_cast<float>(squashed ? lo + 0.5 * (x + 1.0) * (hi - lo)
                                      : std::clamp<double>(x, lo, hi));
    }
  return out;
}

Tensor ActorCriticPolicy::predict(const Tensor& raw_obs, bool deterministic) {
  const int64_t rows = raw_obs.size(0);
  std::vector<float> raw(static_cast<size_t>(rows * D));
  encoder.encode(raw_obs, raw.data());
  Tensor normed = empty({rows, D});
  norm.normalize_obs(raw, {normed.data<float>(), raw.size()});
  Tensor actions;
  act(normed, deterministic, &actions, nullptr, nullptr);
  return env_actions(actions);
}

void policy_gradient_state(StateIO& io, ActorCriticPolicy& policy, optim::Optimizer& opt,
                           int64_t& global_step, int64_t& iteration) {
  io.only_tensors(policy.sde ? std::vector<std::string>{"model.", "optimizer.", "gsde."}
                             : std::vector<std::string>{"model.", "optimizer."});
  io.object("model", *policy.model);
  io.object("optimizer", opt);
  io.integer("global_step", global_step, 0, kMaxCounter);
  io.integer("iteration", iteration, 0, kMaxCounter);
  io.generator("generator", policy.gen);
  if (policy.sde) policy.exploration.state(io);
  policy.norm.state(io);
}

bool all_finite(const float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

double progress_remaining(int64_t global_step, int64_t total_timesteps) {
  return std::max(0.0,
                  1.0 - static_cast<double>(global_step) / static_cast<double>(total_timesteps));
}

double learning_rate_at(double initial, bool anneal, int64_t global_step, int64_t total_timesteps) {
  return anneal ? initial * progress_remaining(global_step, total_timesteps) : initial;
}

void check_losses(const char* algo, int64_t global_step, int64_t iteration, double policy_loss,
                  double value_loss, double entropy_loss) {
  for (auto [name, x] : {std::pair{metric::kPolicyLoss, policy_loss},
                         {metric::kValueLoss, value_loss},
                         {metric::kEntropyLoss, entropy_loss}})
    if (!std::isfinite(x))
      throw NonFiniteError(
          name, global_step,
          str(algo, ": ", name, " is ", x, " at step ", global_step, " (update ", iteration, ")"));
}

double backward_and_step(optim::Optimizer& opt, const Var& loss, const std::vector<Var>& params,
                         double max_grad_norm, const char* algo, int64_t global_step) {
  opt.zero_grad();
  loss.backward();
  const double gn = optim::clip_grad_norm_(
      params, max_grad_norm > 0 ? max_grad_norm : std::numeric_limits<double>::infinity());
  if (!std::isfinite(gn))
    throw NonFiniteError(metric::kGradNorm, global_step,
                         str(algo, ": gradient norm is ", gn, " at step ", global_step));
  opt.step();
  return gn;
}

}  // namespace rein::rl::internal
