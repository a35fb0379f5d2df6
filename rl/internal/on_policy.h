// What the policy-gradient agents (PPO, A2C, REINFORCE) share: the actor-critic with the
// observation pipeline in front of it (encoder, VecNormalize) and its sampling, as SB3's
// ActorCriticPolicy; the training vector env; and the checked gradient step of their updates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autograd/optim.h"
#include "autograd/var.h"
#include "envs/vector_env.h"
#include "rl/algorithm.h"
#include "rl/blocks/actor_critic.h"
#include "rl/blocks/vec_normalize.h"
#include "rl/internal/memory_budget.h"
#include "rl/internal/obs_encoder.h"

namespace rein::rl::internal {

// The training envs of every deep agent: setup.run.n_envs copies of the env, each wrapped in
// RecordEpisodeStatistics (final_info then carries episode_return / episode_length); threaded
// when setup.run.threads > 1 and there is more than one env.
std::unique_ptr<envs::VectorEnv> make_train_envs(const AgentSetup& setup);

// The layers of the actor-critic from the config's strings ("64,64", "tanh"), with gSDE when
// `sde` is set and NatureCNN features for policy "CnnPolicy"; obs_dim, image and action_space
// are left for ActorCriticPolicy to fill. Throws rein::Error on a bad string.
ActorCriticSpec net_spec(const std::string& net_arch, const std::string& activation, bool shared,
                         bool ortho_init, double log_std_init,
                         std::optional<distributions::StateDependentNoiseOptions> sde = {},
                         const std::string& policy = "MlpPolicy");

// The weights and biases of the ActorCritic that `net` builds (obs_dim, image and action_space
// filled in, as ActorCriticPolicy does).
double actor_critic_parameters(const ActorCriticSpec& net);

// The memory check of a policy-gradient agent (memory_budget.h), before anything is built: the
// actor-critic of `net` on these spaces, each parameter held `copies` times (`held` names them),
// and the agent's buffers, which `buffers` sizes from the encoded observation size D and the
// action width A (1 for Discrete). Throws rein::Error when they need more than
// setup.memory_bytes together.
void check_policy_memory(
    const char* algo, const envs::Space& observation_space, const envs::Space& action_space,
    const AgentSetup& setup, ActorCriticSpec net, int copies, const std::string& held,
    const std::function<std::vector<MemoryUse>(int64_t D, int64_t A)>& buffers = {});

// VecNormalize options from the run settings; gamma discounts the return that scales rewards.
VecNormalizeOptions normalize_options(const RunConfig& run, double gamma);

// The network, the generator every sample draws from, and the observation pipeline. Members are
// public: the agents read the dimensions and drive the model and the generator in their updates.
// Not thread-safe.
struct ActorCriticPolicy {
  // `net` gives the layers; its obs_dim and action_space are filled in here. The weights are
  // initialised from gen.split() of a generator seeded with setup.run.seed, before any sample;
  // with gSDE one exploration matrix is then drawn (SB3 draws it when building the policy).
  // Throws rein::Error when gSDE is asked for on an action space other than Box.
  ActorCriticPolicy(const envs::Space& observation_space, const envs::Space& action_space,
                    const AgentSetup& setup, ActorCriticSpec net, VecNormalizeOptions norm);

  // gSDE: draws new exploration matrices for a batch of `batch` rows (SB3 reset_noise). No
  // gradient is recorded.
  void reset_noise(int64_t batch);
  // Sampled (or deterministic: mode / mean) actions for normalised observations (B, D), as SB3's
  // policy.forward; log_probs and values (B) are filled when not null. No gradient is recorded.
  void act(const Tensor& obs, bool deterministic, Tensor* actions, Tensor* log_probs,
           Tensor* values);
  // SB3 evaluate_actions: values (B), log-probs (B) and entropies (B) of `actions`, with grad.
  // Squashed gSDE actions have no closed-form entropy: `entropy` is then -log_prob, so that
  // -mean(entropy) is SB3's estimate -mean(-log_prob).
  struct Evaluation {
    Var values, log_prob, entropy;
  };
  Evaluation evaluate_actions(const Tensor& obs, const Tensor& actions);
  // Actions as the env takes them: Box actions clipped to the bounds (SB3 does the same), or,
  // squashed by gSDE into (-1, 1), rescaled to them.
  Tensor env_actions(const Tensor& actions) const;
  // Agent::predict: raw env observations -> encoded, normalised (frozen) -> env actions.
  Tensor predict(const Tensor& raw_obs, bool deterministic);

  ObsEncoder encoder;
  int64_t D;                      // encoded observation size
  int64_t A;                      // action dims (Box) or 1 (Discrete)
  bool discrete;                  // Discrete actions (else Box)
  std::vector<double> low, high;  // Box bounds
  Generator gen;
  VecNormalize norm;
  std::unique_ptr<ActorCritic> model;
  std::optional<distributions::StateDependentNoiseOptions> sde;  // gSDE on (Box actions)
  distributions::ExplorationMatrices exploration;                // gSDE's current weights
};

// The checkpoint state PPO, A2C and REINFORCE declare alike (tensor/state_io.h): tensors
// "model.*" and "optimizer.*", the counters global_step and iteration, the generator state and
// the VecNormalize statistics; with gSDE the exploration matrices.
void policy_gradient_state(StateIO& io, ActorCriticPolicy& policy, optim::Optimizer& opt,
                           int64_t& global_step, int64_t& iteration);

bool all_finite(const float* p, int64_t n);

// SB3 _current_progress_remaining: 1 at the start of the run, 0 at total_timesteps.
double progress_remaining(int64_t global_step, int64_t total_timesteps);
// The learning rate at global_step: `initial`, or with `anneal` (zoo "lin_X") decayed linearly
// to 0 at total_timesteps, as SB3's linear schedule.
double learning_rate_at(double initial, bool anneal, int64_t global_step, int64_t total_timesteps);

// Throws NonFiniteError naming the first of the three losses that is NaN/inf (before any step,
// so the model stays as before the bad update). `algo` prefixes the message ("ppo").
void check_losses(const char* algo, int64_t global_step, int64_t iteration, double policy_loss,
                  double value_loss, double entropy_loss);

// zero_grad, loss.backward(), optim::clip_grad_norm_ (L2; max_grad_norm <= 0 only measures the
// norm), then the optimizer step. Returns the gradient norm before clipping; throws
// NonFiniteError (without stepping) when it is not finite.
double backward_and_step(optim::Optimizer& opt, const Var& loss, const std::vector<Var>& params,
                         double max_grad_norm, const char* algo, int64_t global_step);

}  // namespace rein::rl::internal
