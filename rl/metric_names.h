// The metric vocabulary: every name rl/ logs through MetricSink, in one place. Agents, the
// Trainer, the CLI's progress display and the dashboard name metrics through these constants, so
// a chart, a ranking and the code that logs a value cannot drift apart. Names follow
// Stable-Baselines3's groups: train/ for training, loss/ for the optimised losses, eval/ for the
// deterministic evaluation.
#pragma once

#include <string_view>

namespace rein::rl::metric {

// Episodes of the training envs (logged when an episode ends).
inline constexpr const char* kEpisodePrefix = "train/episode_";
inline constexpr const char* kEpisodeReturn = "train/episode_return";
inline constexpr const char* kEpisodeLength = "train/episode_length";

// Updates.
inline constexpr const char* kGradNorm = "train/grad_norm";  // before clipping
inline constexpr const char* kLearningRate = "train/learning_rate";
inline constexpr const char* kExplainedVariance = "train/explained_variance";
inline constexpr const char* kActionStd = "train/std";  // Gaussian policies: mean exp(log_std)
inline constexpr const char* kApproxKl = "train/approx_kl";
inline constexpr const char* kClipFraction = "train/clip_fraction";
inline constexpr const char* kClipRange = "train/clip_range";
inline constexpr const char* kEpsilon = "train/epsilon";  // epsilon-greedy exploration
inline constexpr const char* kStepsPerSecond = "train/sps";
inline constexpr const char* kEntCoef = "train/ent_coef";  // SAC's entropy coefficient

// Losses.
inline constexpr const char* kPolicyLoss = "loss/policy";
inline constexpr const char* kValueLoss = "loss/value";
inline constexpr const char* kEntropyLoss = "loss/entropy";
inline constexpr const char* kQLoss = "loss/q";  // DQN's Huber loss; tabular: mean |TD error|
inline constexpr const char* kActorLoss = "loss/actor";       // SAC, TD3, DDPG
inline constexpr const char* kCriticLoss = "loss/critic";     // SAC, TD3, DDPG: summed over critics
inline constexpr const char* kEntCoefLoss = "loss/ent_coef";  // SAC with ent_coef = "auto"

// Evaluation (deterministic policy; at eval_every and at the end).
inline constexpr const char* kEvalPrefix = "eval/";
inline constexpr const char* kEvalMeanReturn = "eval/mean_return";
inline constexpr const char* kEvalStdReturn = "eval/std_return";
inline constexpr const char* kEvalSuccessRate = "eval/success_rate";

// How the Trainer writes a metric an agent logs (RunConfig::log_interval). Episode and
// evaluation points are events: each is written as it happens. Everything else an agent logs
// describes its updates (losses, grad norm, learning rate, epsilon, ent_coef, std, approx_kl, and
// whatever a plug-in algorithm adds): a value per gradient step or iteration, averaged over the
// log interval before it is written. train/sps is the Trainer's own, written at each flush.
inline bool is_update_metric(std::string_view name) {
  return !name.starts_with(kEpisodePrefix) && !name.starts_with(kEvalPrefix);
}

}  // namespace rein::rl::metric
