// DQN: the collect / train loop (rl/algorithms/dqn.h cites the sources). collect() and train()
// follow SB3's OffPolicyAlgorithm.collect_rollouts() and DQN.train() step for step.
#include "rl/algorithms/dqn.h"

#include <algorithm>
#include <cmath>
#include <future>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "envs/registry.h"
#include "envs/vector_env.h"
#include "rl/blocks/actor_critic.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/dqn_q_network.h"
#include "rl/internal/off_policy.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> DQNConfig::fields() {
  return {
      {"learning_rate", &learning_rate, "Adam step size"},
      {"buffer_size", &buffer_size, "replay buffer slots over all envs"},
      {"learning_starts", &learning_starts, "env steps of random actions before learning"},
      {"batch_size", &batch_size, "transitions per gradient step"},
      {"tau", &tau, "target update coefficient (1: hard copy)"},
      {"gamma", &gamma, "discount factor"},
      {"train_freq", &train_freq, "vector-env steps between training phases"},
      {"gradient_steps", &gradient_steps, "gradient steps per phase (-1: env steps collected)"},
      {"target_update_interval", &target_update_interval, "env steps between target updates"},
      {"exploration_fraction", &exploration_fraction, "share of the run epsilon decays over"},
      {"exploration_initial_eps", &exploration_initial_eps, "epsilon at the start"},
      {"exploration_final_eps", &exploration_final_eps, "epsilon after the decay"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip"},
      {"policy", &policy, "MlpPolicy, or CnnPolicy for image observations (NatureCNN)"},
      {"net_arch", &net_arch, "hidden sizes of the Q-network, e.g. 256,256"},
      {"activation", &activation, "relu, tanh, elu or gelu"},
      {"adam_eps", &adam_eps, "Adam epsilon"},
      {"double_q", &double_q, "Double DQN targets"},
      {"dueling", &dueling, "dueling value/advantage heads"},
      {"n_step", &n_step, "n-step returns"},
      {"prioritized_replay", &prioritized_replay, "proportional prioritized replay"},
      {"prioritized_replay_alpha", &prioritized_replay_alpha, "priority exponent alpha"},
      {"prioritized_replay_beta0", &prioritized_replay_beta0, "initial importance exponent"},
      {"prioritized_replay_eps", &prioritized_replay_eps, "added to |TD| priorities"},
      {"save_replay", &save_replay, "checkpoints include the replay buffer (exact resume)"},
  };
}

void DQNConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("dqn: ", key, " ", why));
  };
  internal::validate_off_policy_settings("dqn", *this);
  need(target_update_interval >= 1, "target_update_interval",
       str("must be >= 1, got ", target_update_interval));
  need(exploration_fraction > 0 && exploration_fraction <= 1, "exploration_fraction",
       str("must be in (0, 1], got ", exploration_fraction));
  for (auto [key, v] : {std::pair{"exploration_initial_eps", exploration_initial_eps},
                        {"exploration_final_eps", exploration_final_eps}})
    need(v >= 0 && v <= 1, key, str("must be in [0, 1], got ", v));
  need(max_grad_norm > 0, "max_grad_norm", str("must be > 0, got ", max_grad_norm));
  need(adam_eps > 0, "adam_eps", str("must be > 0, got ", adam_eps));
  need(n_step >= 1, "n_step", str("must be >= 1, got ", n_step));
  need(prioritized_replay_alpha >= 0, "prioritized_replay_alpha",
       str("must be >= 0, got ", prioritized_replay_alpha));
  need(prioritized_replay_beta0 >= 0 && prioritized_replay_beta0 <= 1, "prioritized_replay_beta0",
       str("must be in [0, 1], got ", prioritized_replay_beta0));
  need(prioritized_replay_eps > 0, "prioritized_replay_eps",
       str("must be > 0, got ", prioritized_replay_eps));
  is_cnn_policy(policy);
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
}

namespace {

using internal::QNetwork;
using internal::ReplayBatch;

class DQNAgent final : public Agent {
 public:
  DQNAgent(const AgentSetup& setup, const DQNConfig& config);

  void iterate(MetricSink& sink) override;
  int64_t global_step() const override { return core_.global_step(); }
  void set_stop_flag(const std::atomic<bool>* stop) override { core_.set_stop_flag(stop); }
  std::optional<int64_t> cut_iteration_start() const override { return core_.cut_phase_start(); }
  Tensor predict(const Tensor& obs, bool deterministic) override;
  std::vector<Param> params() override { return to_params(cfg_.fields()); }
  void state(StateIO& io) override;
  std::string state_name() const override { return "dqn state"; }

 private:
  // Actions for the current observations: uniform before learning_starts, then epsilon-greedy.
  void act(Tensor& actions);
  // `steps` gradient steps; returns (mean loss, mean grad norm).
  std::pair<double, double> train(int64_t steps);
  // SB3 get_linear_fn over the progress of the run, at env step `step` (default: now).
  double epsilon(int64_t step) const;
  double epsilon() const { return epsilon(core_.global_step()); }
  // Q-value targets (B) of a batch: returns + discounts * Q_target(next, a*).
  Tensor targets(const ReplayBatch& b);
  // Plain DQN targets (no Double DQN) of batch rows [start, start + rows): no_grad, reads only
  // the target network and the sampled batch, so it may run on a worker thread.
  Tensor target_rows(int64_t start, int64_t rows) const;

  AgentSetup setup_;
  DQNConfig cfg_;
  internal::OffPolicyCore core_;
  int64_t N_, D_, A_;
  Generator gen_;
  std::unique_ptr<QNetwork> q_, q_target_;
  std::unique_ptr<optim::Adam> opt_;
  int64_t gradient_updates_ = 0;
  ReplayBatch batch_;
};

internal::OffPolicyOptions off_policy_options(const DQNConfig& c) {
  return {.learning_starts = c.learning_starts,
          .train_freq = c.train_freq,
          .gradient_steps = c.gradient_steps,
          .save_replay = c.save_replay,
          .replay = {.capacity = c.buffer_size,
                     .n_step = c.n_step,
                     .gamma = c.gamma,
                     .prioritized = c.prioritized_replay,
                     .alpha = c.prioritized_replay_alpha},
          .image = is_cnn_policy(c.policy),
          .networks = [hidden = parse_net_arch(c.net_arch), dueling = c.dueling](
                          const internal::ObsEncoder& obs, const envs::Space& actions) {
            const int64_t n = actions.is_discrete() ? actions.discrete().n : 1;
            return internal::network_memory(
                internal::q_network_parameters(obs.dim(), n, hidden, dueling, obs.image_shape()), 5,
                "value, gradient, Adam's two moments, target");
          }};
}

DQNAgent::DQNAgent(const AgentSetup& setup, const DQNConfig& config)
    : setup_(setup),
      cfg_(config),
      core_("dqn", setup, off_policy_options(config)),
      N_(setup.run.n_envs),
      D_(core_.obs_dim()),
      A_(0),
      gen_(static_cast<uint64_t>(setup.run.seed)) {
  const envs::Space& as = core_.envs().single_action_space();
  if (!as.is_discrete())
    throw Error(str("dqn: ", setup.env_id, " has action space ", as.to_string(),
                    "; DQN needs Discrete actions"));
  if (as.discrete().start != 0)
    throw Error(str("dqn: ", setup.env_id, " has action space ", as.to_string(), " starting at ",
                    as.discrete().start, "; DQN needs actions from 0"));
  A_ = as.discrete().n;
  const auto hidden = parse_net_arch(cfg_.net_arch);
  const auto act = nn::activation_from_string(cfg_.activation);
  Generator init_gen = gen_.split();
  const auto& image = core_.encoder().image_shape();
  q_ = std::make_unique<QNetwork>(D_, A_, hidden, act, cfg_.dueling, init_gen, image);
  q_target_ = std::make_unique<QNetwork>(D_, A_, hidden, act, cfg_.dueling, init_gen, image);
  q_target_->load_state_dict(q_->state_dict());
  // torch.optim.Adam defaults (betas 0.9, 0.999), as SB3's DQNPolicy passes no optimizer_kwargs.
  opt_ = std::make_unique<optim::Adam>(
      q_->parameters(), optim::AdamOptions{.lr = cfg_.learning_rate, .eps = cfg_.adam_eps});
}

double DQNAgent::epsilon(int64_t step) const {
  const double progress =
      static_cast<double>(step) / static_cast<double>(setup_.run.total_timesteps);
  if (progress > cfg_.exploration_fraction) return cfg_.exploration_final_eps;
  return cfg_.exploration_initial_eps +
         progress * (cfg_.exploration_final_eps - cfg_.exploration_initial_eps) /
             cfg_.exploration_fraction;
}

void DQNAgent::act(Tensor& actions) {
  if (!actions.defined()) actions = empty({N_}, Dtype::Int64);
  int64_t* a = actions.data<int64_t>();
  // SB3 _sample_action: uniform actions before learning_starts, then epsilon-greedy (one draw
  // per env here; SB3 draws once for the whole vector).
  const bool warmup = core_.warmup();
  const double eps = epsilon();
  bool any_greedy = false;
  for (int64_t i = 0; i < N_; ++i) {
    const bool random = warmup || gen_.uniform() < eps;
    a[i] = random ? gen_.randint(0, A_) : -1;
    any_greedy |= !random;
  }
  if (any_greedy) {
    no_grad guard;
    Tensor greedy = argmax(q_->forward(Var(core_.obs())).value(), 1);
    for (int64_t i = 0; i < N_; ++i)
      if (a[i] < 0) a[i] = greedy.data<int64_t>()[i];
  }
}

Tensor DQNAgent::targets(const ReplayBatch& b) {
  no_grad guard;
  Tensor next_q = q_target_->forward(Var(b.next_obs)).value();  // (B, A)
  Tensor online = cfg_.double_q ? q_->forward(Var(b.next_obs)).value() : Tensor();
  return internal::td_targets(next_q, online, b.returns, b.discounts, cfg_.double_q);
}

Tensor DQNAgent::target_rows(int64_t start, int64_t rows) const {
  no_grad guard;  // thread-local: set on the calling thread
  Tensor next_q = q_target_->forward(Var(batch_.next_obs.narrow(0, start, rows))).value();
  return internal::td_targets(next_q, Tensor(), batch_.returns.narrow(0, start, rows),
                              batch_.discounts.narrow(0, start, rows), false);
}

std::pair<double, double> DQNAgent::train(int64_t steps) {
  const std::vector<Var> params = q_->parameters();
  const int64_t B = cfg_.batch_size;
  const double beta = cfg_.prioritized_replay_beta0 +
                      (1.0 - cfg_.prioritized_replay_beta0) *
                          std::min(1.0, static_cast<double>(core_.global_step()) /
                                            static_cast<double>(setup_.run.total_timesteps));
  // The target network only changes between env steps (SB3 _on_step), so without Double DQN
  // (whose argmax uses the online network as it learns) and without priorities (which change
  // what is sampled next), all the phase's batches and their targets can be drawn at once: one
  // large forward pass of the target network instead of `steps` small ones. Same numbers.
  const bool batched = !cfg_.double_q && !cfg_.prioritized_replay;
  // With --threads > 1 a worker computes the targets of batches [split, steps) while this thread
  // computes the first `split` and starts the gradient steps on them (the target network is
  // read-only during a phase, the online network is not read by the worker). A target batch
  // costs about a quarter of a gradient step (forward only, no Adam), so split = steps / 5
  // lets the worker finish before the main thread needs batch `split`. Same numbers as one
  // thread: each row's target is the same dot products.
  int64_t split = steps;
  Tensor head_targets, tail_targets;
  std::future<Tensor> tail;
  if (batched) {
    core_.buffer().sample(steps * B, gen_, beta, batch_);
    if (setup_.run.threads > 1 && steps >= 5) {
      split = (steps + 4) / 5;
      tail = std::async(std::launch::async, [this, split, steps, B] {
        return target_rows(split * B, (steps - split) * B);
      });
    }
    head_targets = target_rows(0, split * B);
  }
  double loss_sum = 0.0, gn_sum = 0.0;
  for (int64_t g = 0; g < steps; ++g) {
    Tensor obs, acts, y, w;
    if (batched) {
      obs = batch_.obs.narrow(0, g * B, B);
      acts = batch_.actions.narrow(0, g * B, B);
      if (g == split) tail_targets = tail.get();
      y = g < split ? head_targets.narrow(0, g * B, B) : tail_targets.narrow(0, (g - split) * B, B);
    } else {
      core_.buffer().sample(B, gen_, beta, batch_);
      obs = batch_.obs;
      acts = batch_.actions;
      y = targets(batch_);
      w = batch_.weights;
    }
    Var q_sa = reshape(gather(q_->forward(Var(obs)), 1, acts), {B});  // (B)
    Var loss = cfg_.prioritized_replay
                   ? mean(nn::smooth_l1_loss(q_sa, Var(y), nn::Reduction::None) * Var(w))
                   : nn::smooth_l1_loss(q_sa, Var(y));
    const double l = loss.item();
    if (!std::isfinite(l))
      throw NonFiniteError(metric::kQLoss, global_step(),
                           str("dqn: loss/q is ", l, " at step ", global_step(), " (update ",
                               gradient_updates_, ")"));
    opt_->zero_grad();
    loss.backward();
    const double gn = optim::clip_grad_norm_(params, cfg_.max_grad_norm);
    if (!std::isfinite(gn))
      throw NonFiniteError(metric::kGradNorm, global_step(),
                           str("dqn: gradient norm is ", gn, " at step ", global_step()));
    opt_->step();
    if (cfg_.prioritized_replay) {
      Tensor td = abs(q_sa.value() - y);
      core_.buffer().update_priorities(batch_.slots, {td.data<float>(), static_cast<size_t>(B)},
                                       cfg_.prioritized_replay_eps);
    }
    loss_sum += l;
    gn_sum += gn;
    ++gradient_updates_;
  }
  const double n = static_cast<double>(std::max<int64_t>(steps, 1));
  return {loss_sum / n, gn_sum / n};
}

void DQNAgent::iterate(MetricSink& sink) {
  core_.collect(
      sink,
      [this](Tensor& env, Tensor& stored) {
        act(env);
        stored = env;
      },
      [this](const std::vector<uint8_t>&) {
        // SB3 _on_step: target update every target_update_interval env steps (// n_envs calls).
        if (core_.n_calls() % std::max<int64_t>(cfg_.target_update_interval / N_, 1) == 0)
          internal::polyak_update(*q_, *q_target_, cfg_.tau);
      });
  if (core_.phase_cut()) return;  // the next iterate() finishes the phase and logs its end
  // SB3 logs the exploration rate it computed before the phase (the phase's start also when a
  // stop cut the phase and a resumed run finished it).
  sink.log(global_step(), metric::kEpsilon, epsilon(core_.phase_start_step()));
  if (const int64_t steps = core_.due_gradient_steps(); steps > 0) {
    auto [loss, gn] = train(steps);
    sink.log(global_step(), metric::kQLoss, loss);
    sink.log(global_step(), metric::kGradNorm, gn);
    sink.log(global_step(), metric::kLearningRate, cfg_.learning_rate);
  }
}

Tensor DQNAgent::predict(const Tensor& obs, bool deterministic) {
  const int64_t rows = obs.size(0);
  const Tensor x = core_.encode(obs);
  Tensor actions;
  {
    no_grad guard;
    actions = argmax(q_->forward(Var(x)).value(), 1);
  }
  if (!deterministic) {
    const double eps = epsilon();
    int64_t* a = actions.data<int64_t>();
    for (int64_t i = 0; i < rows; ++i)
      if (gen_.uniform() < eps) a[i] = gen_.randint(0, A_);
  }
  return actions;
}

void DQNAgent::state(StateIO& io) {
  io.only_tensors({"model.", "target.", "optimizer.", "replay.", "env.obs"});
  io.object("model", *q_);
  io.object("target", *q_target_);
  io.object("optimizer", *opt_);
  io.integer("gradient_updates", gradient_updates_, 0, kMaxCounter);
  io.generator("generator", gen_);
  core_.state(io);
}

}  // namespace

std::unique_ptr<Agent> make_dqn(const AgentSetup& setup, const DQNConfig& config) {
  config.validate();
  return std::make_unique<DQNAgent>(setup, config);
}

AlgorithmInfo dqn_algorithm() {
  return internal::algorithm_entry<DQNConfig>(
      "dqn", "Deep Q-Network (replay, target network; Double, Dueling, n-step, PER), as SB3",
      {envs::SpaceKind::Discrete}, make_dqn);
}

}  // namespace rein::rl
