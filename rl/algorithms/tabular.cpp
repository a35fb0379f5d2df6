// Tabular Q-learning / SARSA / Expected SARSA (rl/algorithms/tabular.h cites the sources). The loop
// reads as Sutton & Barto's boxed algorithms, run over n_envs envs that share one Q-table: env i's
// transition is applied before env i+1's, so results depend on the seed and n_envs only.
#include "rl/algorithms/tabular.h"

#include <algorithm>
#include <cmath>

#include "envs/registry.h"
#include "envs/vector_env.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/memory_budget.h"
#include "rl/metric_names.h"

namespace rein::rl {

double Schedule::value(double progress) const {
  const double p = std::clamp(progress, 0.0, 1.0);
  const double ramp = std::min(1.0, p / fraction);
  if (kind == "linear") return initial + ramp * (final - initial);
  if (kind == "exponential") return initial * std::pow(final / initial, ramp);
  return initial;
}

void Schedule::validate(const char* owner, const char* key) const {
  if (kind != "constant" && kind != "linear" && kind != "exponential")
    throw Error(str(owner, ": ", key, "_schedule '", kind,
                    "' is unknown (expected constant, linear or exponential)"));
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw Error(str(owner, ": ", key, " decay fraction must be in (0, 1], got ", fraction));
  if (kind == "exponential" && !(initial > 0.0 && final > 0.0))
    throw Error(str(owner, ": an exponential ", key,
                    " schedule needs initial and final values > 0, "
                    "got ",
                    initial, " and ", final));
}

std::vector<Field> TabularConfig::fields() {
  return {
      {"learning_rate", &learning_rate, "step size alpha (initial value when decayed)"},
      {"learning_rate_schedule", &learning_rate_schedule, "constant, linear or exponential"},
      {"final_learning_rate", &final_learning_rate, "alpha at the end of the decay"},
      {"learning_rate_fraction", &learning_rate_fraction, "share of the run alpha decays over"},
      {"gamma", &gamma, "discount factor"},
      {"exploration_schedule", &exploration_schedule, "constant, linear or exponential"},
      {"exploration_initial_eps", &exploration_initial_eps, "epsilon at step 0"},
      {"exploration_final_eps", &exploration_final_eps, "epsilon after the decay"},
      {"exploration_fraction", &exploration_fraction, "share of the run epsilon decays over"},
      {"initial_q", &initial_q, "initial value of every Q(s, a)"},
      {"steps_per_iteration", &steps_per_iteration, "env steps between metric logs"},
  };
}

Schedule TabularConfig::learning_rate_sched() const {
  return {learning_rate_schedule, learning_rate, final_learning_rate, learning_rate_fraction};
}

Schedule TabularConfig::exploration_sched() const {
  return {exploration_schedule, exploration_initial_eps, exploration_final_eps,
          exploration_fraction};
}

void TabularConfig::validate(const char* algorithm) const {
  auto need = [&](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str(algorithm, ": ", key, " ", why));
  };
  need(learning_rate > 0 && learning_rate <= 1, "learning_rate",
       str("must be in (0, 1], got ", learning_rate));
  need(final_learning_rate > 0 && final_learning_rate <= 1, "final_learning_rate",
       str("must be in (0, 1], got ", final_learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(exploration_initial_eps >= 0 && exploration_initial_eps <= 1, "exploration_initial_eps",
       str("must be in [0, 1], got ", exploration_initial_eps));
  need(exploration_final_eps >= 0 && exploration_final_eps <= 1, "exploration_final_eps",
       str("must be in [0, 1], got ", exploration_final_eps));
  need(std::isfinite(initial_q), "initial_q", str("must be finite, got ", initial_q));
  need(steps_per_iteration >= 1, "steps_per_iteration",
       str("must be >= 1, got ", steps_per_iteration));
  learning_rate_sched().validate(algorithm, "learning_rate");
  exploration_sched().validate(algorithm, "exploration");
}

double expected_q(std::span<const double> q_row, double epsilon) {
  // epsilon / A on every action, plus 1 - epsilon shared by the tied maxima, which all equal best.
  const double best = *std::max_element(q_row.begin(), q_row.end());
  double sum = 0.0;
  for (double v : q_row) sum += v;
  return epsilon * sum / static_cast<double>(q_row.size()) + (1.0 - epsilon) * best;
}

double td_error(TabularMethod method, std::span<const double> q, int64_t n_actions, int64_t s,
                int64_t a, double reward, int64_t next_s, int64_t next_action, bool terminal,
                double gamma, double epsilon) {
  double target = reward;
  if (!terminal) {
    std::span<const double> row =
        q.subspan(static_cast<size_t>(next_s * n_actions), static_cast<size_t>(n_actions));
    double bootstrap = 0.0;
    switch (method) {
      case TabularMethod::QLearning:
        bootstrap = *std::max_element(row.begin(), row.end());
        break;
      case TabularMethod::Sarsa:
        bootstrap = row[static_cast<size_t>(next_action)];
        break;
      case TabularMethod::ExpectedSarsa:
        bootstrap = expected_q(row, epsilon);
        break;
    }
    target += gamma * bootstrap;
  }
  return target - q[static_cast<size_t>(s * n_actions + a)];
}

namespace {

const char* method_name(TabularMethod m) {
  switch (m) {
    case TabularMethod::QLearning:
      return "qlearning";
    case TabularMethod::Sarsa:
      return "sarsa";
    case TabularMethod::ExpectedSarsa:
      return "expected_sarsa";
  }
  return "?";
}

// Q(s, a) for every state and action, initial_q each, once the table fits setup.memory_bytes
// (memory_budget.h): a Discrete space of a plug-in or remote env can be any size.
std::vector<double> q_table(TabularMethod method, const AgentSetup& setup, int64_t n_states,
                            int64_t n_actions, double initial_q) {
  const double entries = static_cast<double>(n_states) * static_cast<double>(n_actions);
  internal::check_memory(method_name(method),
                         {{str("a Q-table of ", n_states, " states x ", n_actions, " actions"),
                           entries * sizeof(double),
                           str("the number of states of ", setup.env_id,
                               " (a space that large needs a function approximator, e.g. dqn)")}},
                         internal::memory_budget(setup.memory_bytes));
  return std::vector<double>(static_cast<size_t>(n_states * n_actions), initial_q);
}

class TabularAgent final : public Agent {
 public:
  TabularAgent(TabularMethod method, const AgentSetup& setup, const TabularConfig& config);

  void iterate(MetricSink& sink) override;
  int64_t global_step() const override { return global_step_; }
  Tensor predict(const Tensor& obs, bool deterministic) override;
  std::vector<Param> params() override { return to_params(cfg_.fields()); }
  void state(StateIO& io) override;
  std::string state_name() const override { return str(method_name(method_), " checkpoint"); }

 private:
  double progress() const {
    return static_cast<double>(global_step_) / static_cast<double>(setup_.run.total_timesteps);
  }
  const double* row(int64_t s) const { return q_.data() + s * A_; }
  // Epsilon-greedy over row s; the greedy choice breaks ties uniformly at random (with all-zero
  // initial values a first-index argmax would always walk the same way).
  int64_t behave(int64_t s, double epsilon);
  int64_t greedy(int64_t s) const;  // first maximum: deterministic, as numpy's argmax
  void reset_envs(uint64_t seed);

  TabularMethod method_;
  AgentSetup setup_;
  TabularConfig cfg_;
  Schedule eps_sched_, lr_sched_;
  std::unique_ptr<envs::VectorEnv> envs_;
  int64_t N_, S_, A_, obs_start_, act_start_;
  Generator gen_;
  std::vector<double> q_;          // (S, A) row-major
  std::vector<int64_t> state_;     // (N) current state index of each env
  std::vector<int64_t> action_;    // (N) action index about to be taken (SARSA's A')
  std::vector<double> ep_return_;  // (N) running episode return
  std::vector<int64_t> ep_length_;
  std::vector<int64_t> ties_;  // scratch for behave()
  Tensor env_actions_;         // (N) int64, reused every step
  int64_t global_step_ = 0;
  int64_t iteration_ = 0;
};

TabularAgent::TabularAgent(TabularMethod method, const AgentSetup& setup,
                           const TabularConfig& config)
    : method_(method),
      setup_(setup),
      cfg_(config),
      eps_sched_(config.exploration_sched()),
      lr_sched_(config.learning_rate_sched()),
      envs_([&] {
        envs::VectorOptions vo;
        vo.kwargs = setup.env_kwargs;
        if (setup.run.threads > 1) {
          vo.mode = envs::VectorMode::Threaded;
          vo.num_threads = static_cast<int>(setup.run.threads);
        }
        return envs::make_vec(setup.env_id, setup.run.n_envs, vo);
      }()),
      N_(setup.run.n_envs),
      S_(envs_->single_observation_space().discrete().n),
      A_(envs_->single_action_space().discrete().n),
      obs_start_(envs_->single_observation_space().discrete().start),
      act_start_(envs_->single_action_space().discrete().start),
      gen_(static_cast<uint64_t>(setup.run.seed)),
      q_(q_table(method, setup, S_, A_, config.initial_q)),
      state_(static_cast<size_t>(N_)),
      action_(static_cast<size_t>(N_)),
      ep_return_(static_cast<size_t>(N_), 0.0),
      ep_length_(static_cast<size_t>(N_), 0),
      env_actions_(empty({N_}, Dtype::Int64)) {
  ties_.reserve(static_cast<size_t>(A_));
  reset_envs(static_cast<uint64_t>(setup.run.seed));
}

int64_t TabularAgent::greedy(int64_t s) const {
  const double* r = row(s);
  return std::max_element(r, r + A_) - r;
}

int64_t TabularAgent::behave(int64_t s, double epsilon) {
  if (epsilon > 0.0 && gen_.uniform() < epsilon) return gen_.randint(0, A_);
  const double* r = row(s);
  const double best = *std::max_element(r, r + A_);
  ties_.clear();
  for (int64_t a = 0; a < A_; ++a)
    if (r[a] == best) ties_.push_back(a);
  if (ties_.size() == 1) return ties_[0];
  return ties_[static_cast<size_t>(gen_.randint(0, static_cast<int64_t>(ties_.size())))];
}

void TabularAgent::reset_envs(uint64_t seed) {
  const envs::VectorStep& s = envs_->reset(seed);
  const int64_t* obs = s.obs.data<int64_t>();
  const double eps = eps_sched_.value(progress());
  for (int64_t i = 0; i < N_; ++i) {
    state_[i] = obs[i] - obs_start_;
    ep_return_[i] = 0.0;
    ep_length_[i] = 0;
    if (method_ == TabularMethod::Sarsa) action_[i] = behave(state_[i], eps);
  }
}

void TabularAgent::iterate(MetricSink& sink) {
  const int64_t remaining = std::max<int64_t>(setup_.run.total_timesteps - global_step_, 1);
  const int64_t steps = (std::min(cfg_.steps_per_iteration, remaining) + N_ - 1) / N_;
  double abs_td_sum = 0.0;
  int64_t updates = 0;
  double eps = 0.0, lr = 0.0;
  int64_t* acts = env_actions_.data<int64_t>();
  for (int64_t t = 0; t < steps; ++t) {
    eps = eps_sched_.value(progress());
    lr = lr_sched_.value(progress());
    // SARSA already chose A' when it learned from the previous step; the off-policy targets
    // choose A from S with the latest table.
    for (int64_t i = 0; i < N_; ++i) {
      if (method_ != TabularMethod::Sarsa) action_[i] = behave(state_[i], eps);
      acts[i] = action_[i] + act_start_;
    }
    const envs::VectorStep& st = envs_->step(env_actions_);
    global_step_ += N_;
    const float* rewards = st.rewards.data<float>();
    const bool* done = st.done.data<bool>();
    const bool* term = st.terminated.data<bool>();
    const int64_t* obs = st.obs.data<int64_t>();
    const int64_t* final_obs = st.final_obs.data<int64_t>();
    for (int64_t i = 0; i < N_; ++i) {
      const double r = rewards[i];
      if (!std::isfinite(r))
        throw NonFiniteError(
            "reward", global_step_,
            str(method_name(method_), ": reward of env ", i, " is ", r, " at step ", global_step_));
      // After a truncation (time limit) the episode's last state is final_obs: bootstrap from
      // it, as from any non-terminal state (Pardo et al. 2018); after termination, do not.
      const int64_t next = (done[i] ? final_obs[i] : obs[i]) - obs_start_;
      int64_t next_action = 0;
      if (method_ == TabularMethod::Sarsa && !term[i]) next_action = behave(next, eps);
      const double delta = td_error(method_, q_, A_, state_[i], action_[i], r, next, next_action,
                                    term[i], cfg_.gamma, eps);
      q_[static_cast<size_t>(state_[i] * A_ + action_[i])] += lr * delta;
      abs_td_sum += std::abs(delta);
      ++updates;

      ep_return_[i] += r;
      ep_length_[i] += 1;
      if (done[i]) {
        sink.log(global_step_, metric::kEpisodeReturn, ep_return_[i]);
        sink.log(global_step_, metric::kEpisodeLength, static_cast<double>(ep_length_[i]));
        ep_return_[i] = 0.0;
        ep_length_[i] = 0;
        state_[i] = obs[i] - obs_start_;  // the reset observation of the next episode
        if (method_ == TabularMethod::Sarsa) action_[i] = behave(state_[i], eps);
      } else {
        state_[i] = next;
        action_[i] = next_action;
      }
    }
  }
  ++iteration_;
  sink.log(global_step_, metric::kEpsilon, eps);
  sink.log(global_step_, metric::kLearningRate, lr);
  // loss/q for a table is the mean absolute TD error of the iteration's updates.
  sink.log(global_step_, metric::kQLoss,
           abs_td_sum / static_cast<double>(std::max<int64_t>(updates, 1)));
}

Tensor TabularAgent::predict(const Tensor& obs, bool deterministic) {
  if (obs.dtype() != Dtype::Int64)
    throw Error(str(method_name(method_),
                    ".predict: observations must be int64 state indices, got ",
                    dtype_name(obs.dtype())));
  const Tensor flat = obs.contiguous();
  const int64_t rows = flat.numel();
  const int64_t* p = flat.data<int64_t>();
  Tensor out = empty({rows}, Dtype::Int64);
  int64_t* a = out.data<int64_t>();
  const double eps = eps_sched_.value(progress());
  for (int64_t k = 0; k < rows; ++k) {
    const int64_t s = p[k] - obs_start_;
    if (s < 0 || s >= S_)
      throw Error(str(method_name(method_), ".predict: state ", p[k], " is outside Discrete(", S_,
                      ", start=", obs_start_, ")"));
    a[k] = (deterministic ? greedy(s) : behave(s, eps)) + act_start_;
  }
  return out;
}

void TabularAgent::state(StateIO& io) {
  io.only_tensors({"q_table"});
  io.tensor("q_table", q_, {S_, A_});
  io.integer("global_step", global_step_, 0, kMaxCounter);
  io.integer("iteration", iteration_, 0, kMaxCounter);
  io.generator("generator", gen_);
  // The envs restart from fresh episodes on a stream of their own, as PPO's do.
  if (io.loading())
    reset_envs(static_cast<uint64_t>(setup_.run.seed) + static_cast<uint64_t>(global_step_));
}

AlgorithmInfo tabular_info(TabularMethod method, std::string summary) {
  AlgorithmInfo info = internal::algorithm_entry<TabularConfig>(
      method_name(method), std::move(summary), {envs::SpaceKind::Discrete},
      [method](const AgentSetup& setup, const TabularConfig& c) {
        return make_tabular(method, setup, c);
      });
  info.observation_spaces = {envs::SpaceKind::Discrete};
  info.spaces_note =
      "a Q-table needs finitely many states and actions, e.g. FrozenLake-v1, Taxi-v4, "
      "CliffWalking-v1";
  return info;
}

}  // namespace

std::unique_ptr<Agent> make_tabular(TabularMethod method, const AgentSetup& setup,
                                    const TabularConfig& config) {
  const char* name = method_name(method);
  config.validate(name);
  {
    // The Trainer checks the spaces already; callers of make_tabular get the same message.
    const AlgorithmInfo info = tabular_info(method, "");
    auto probe = envs::make(setup.env_id, setup.env_kwargs);
    check_action_space(info, probe->action_space(), setup.env_id);
    check_observation_space(info, probe->observation_space(), setup.env_id);
  }
  return std::make_unique<TabularAgent>(method, setup, config);
}

AlgorithmInfo qlearning_algorithm() {
  return tabular_info(TabularMethod::QLearning,
                      "tabular Q-learning, epsilon-greedy (Discrete observations only)");
}

AlgorithmInfo sarsa_algorithm() {
  return tabular_info(TabularMethod::Sarsa,
                      "tabular SARSA, on-policy TD control (Discrete observations only)");
}

AlgorithmInfo expected_sarsa_algorithm() {
  return tabular_info(TabularMethod::ExpectedSarsa,
                      "tabular Expected SARSA (Discrete observations only)");
}

}  // namespace rein::rl
