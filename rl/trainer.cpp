// The shared training workflow: iterate, log, evaluate, checkpoint, stop.
#include "rl/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>

#include "autograd/checkpoint.h"
#include "envs/registry.h"
#include "rl/checkpoint.h"
#include "rl/internal/update_means.h"
#include "rl/metric_names.h"
#include "rl/presets.h"

namespace rein::rl {
namespace {

// Watches train/episode_return on its way to the real sink, for the progress display.
class ReturnWatcher final : public MetricSink {
 public:
  explicit ReturnWatcher(MetricSink& next) : next_(next) {}
  void log(int64_t step, std::string_view name, double value) override {
    if (name == metric::kEpisodeReturn) {
      recent_.push_back(value);
      sum_ += value;
      if (recent_.size() > 100) {
        sum_ -= recent_.front();
        recent_.pop_front();
      }
      ++episodes_;
    }
    next_.log(step, name, value);
  }
  void check() override { next_.check(); }
  std::optional<double> mean() const {
    if (recent_.empty()) return std::nullopt;
    return sum_ / static_cast<double>(recent_.size());
  }
  int64_t episodes() const { return episodes_; }

 private:
  MetricSink& next_;
  std::deque<double> recent_;
  double sum_ = 0.0;
  int64_t episodes_ = 0;
};

bool crossed(int64_t before, int64_t after, int64_t every) {
  return every > 0 && before / every != after / every;
}

}  // namespace

void RunConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("train: ", key, " ", why));
  };
  need(total_timesteps >= 1, "total_timesteps", str("must be >= 1, got ", total_timesteps));
  need(n_envs >= 1 && n_envs <= 4096, "n_envs", str("must be in [1, 4096], got ", n_envs));
  need(seed >= 0, "seed", str("must be >= 0, got ", seed));
  need(clip_obs > 0, "clip_obs", str("must be > 0, got ", clip_obs));
  need(clip_reward > 0, "clip_reward", str("must be > 0, got ", clip_reward));
  need(eval_episodes >= 0, "eval_episodes", str("must be >= 0, got ", eval_episodes));
  need(eval_every >= 0, "eval_every", str("must be >= 0, got ", eval_every));
  need(checkpoint_every >= 0, "checkpoint_every", str("must be >= 0, got ", checkpoint_every));
  need(log_interval >= 0, "log_interval",
       str("must be >= 0 (env steps; 0 logs every iteration), got ", log_interval));
  need(threads >= 1 && threads <= 256, "threads", str("must be in [1, 256], got ", threads));
  need(frame_stack >= 0, "frame_stack", str("must be >= 0, got ", frame_stack));
}

std::string RunConfig::wrappers() const {
  std::string out = env_wrapper;
  if (frame_stack > 0)
    out += str(out.empty() ? "" : ", ", "FrameStackObservation(stack_size=", frame_stack, ")");
  return out;
}

namespace {

// The env arguments with the run's wrappers under "wrappers". A run resumed from a checkpoint
// finds its own wrappers there already; any other "wrappers" argument conflicts.
envs::Kwargs with_run_wrappers(envs::Kwargs kwargs, const RunConfig& run) {
  const std::string wrappers = run.wrappers();
  if (wrappers.empty()) return kwargs;
  if (auto it = kwargs.find("wrappers"); it != kwargs.end() && it->second != wrappers) {
    throw Error(str("the env argument wrappers='", it->second,
                    "' and the settings env_wrapper/frame_stack ('", wrappers,
                    "') both name wrappers: give them one way"));
  }
  kwargs["wrappers"] = wrappers;
  return kwargs;
}

}  // namespace

Settings preset_settings(const std::string& algorithm, const std::string& env_id) {
  if (auto p = find_preset(algorithm, env_id)) return p->settings;
  return {};
}

Trainer::Trainer() : update_means_(std::make_unique<internal::UpdateMeans>()) {}

Trainer::Trainer(const std::string& algorithm, const std::string& env_id,
                 const envs::Kwargs& env_kwargs, Settings settings, double memory_bytes)
    : algorithm_(algorithm),
      env_id_(env_id),
      update_means_(std::make_unique<internal::UpdateMeans>()) {
  AlgorithmInfo algo = find_algorithm(algorithm);
  auto run_fields = run_.fields();
  settings.apply(run_fields);
  env_kwargs_ = with_run_wrappers(env_kwargs, run_);
  {
    // Make one env first: unknown ids and bad env args fail with the registry's message, and an
    // unsupported action or observation space (AlgorithmInfo's lists, the table `rein train
    // --help` prints) is named before anything heavier is built.
    auto probe = envs::make(env_id, env_kwargs_);
    check_action_space(algo, probe->action_space(), env_id);
    check_observation_space(algo, probe->observation_space(), env_id,
                            settings.get("policy").value_or("MlpPolicy"));
  }
  run_.validate();
  // The algorithm applies its own fields and calls finish(), so a key unknown to both configs
  // is an error listing the valid keys of both.
  agent_ = algo.make(AgentSetup{env_id, env_kwargs_, run_, memory_bytes}, settings);
}

Trainer Trainer::resume(const std::string& checkpoint_path, const Settings& overrides,
                        const std::string& env_id) {
  CheckpointInfo info = read_agent_checkpoint(checkpoint_path);
  if (!env_id.empty()) {
    info.env_id = env_id;
    info.env_id_from_user = true;
  }
  Trainer t;
  t.algorithm_ = info.algorithm;
  t.env_id_ = info.env_id;
  t.env_kwargs_ = info.env_kwargs;
  Settings settings;
  for (const auto& [k, v] : info.params) settings.set(k, v, "checkpoint " + checkpoint_path);
  settings.merge(overrides);
  auto run_fields = t.run_.fields();
  settings.apply(run_fields);
  t.run_.validate();
  t.agent_ = load_agent(info, overrides);
  // A checkpoint of a rein without a log interval has no trainer state: nothing pending.
  if (!info.trainer_state_json.empty()) {
    try {
      const NamedTensorList no_tensors;
      StateIO io("trainer state", info.trainer_state_json, no_tensors);
      t.update_means_->state(io);
    } catch (const Error& e) {
      throw Error(str("checkpoint '", checkpoint_path, "': ", e.what()));
    }
  }
  return t;
}

Trainer::Trainer(Trainer&&) noexcept = default;
Trainer& Trainer::operator=(Trainer&&) noexcept = default;
Trainer::~Trainer() = default;

std::vector<Param> Trainer::params() const {
  RunConfig copy = run_;
  auto out = to_params(copy.fields());
  auto algo = agent_->params();
  out.insert(out.end(), algo.begin(), algo.end());
  return out;
}

std::string Trainer::save_checkpoint(const std::string& checkpoint_dir) {
  std::filesystem::create_directories(checkpoint_dir);
  char name[64];
  std::snprintf(name, sizeof name, "step-%09lld.safetensors",
                static_cast<long long>(agent_->global_step()));
  std::string path = (std::filesystem::path(checkpoint_dir) / name).string();
  StateIO trainer_state("trainer state");
  update_means_->state(trainer_state);
  save_agent_checkpoint(path, algorithm_, env_id_, env_kwargs_, param_texts(params()), *agent_,
                        trainer_state.json());
  return path;
}

TrainResult Trainer::train(MetricSink& sink, const std::string& checkpoint_dir,
                           const TrainHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int64_t start_step = agent_->global_step();
  internal::UpdateAveragingSink averaging(sink, *update_means_, run_.log_interval > 0);
  ReturnWatcher watcher(averaging);
  TrainResult result;
  if (!checkpoint_dir.empty()) remove_stale_temporaries(checkpoint_dir);
  // The agent sees the stop flag for as long as this call runs (it may outlive `hooks`).
  struct StopFlagScope {
    Agent& agent;
    StopFlagScope(Agent& a, const std::atomic<bool>* stop) : agent(a) { agent.set_stop_flag(stop); }
    ~StopFlagScope() { agent.set_stop_flag(nullptr); }
  } stop_scope(*agent_, hooks.stop);
  auto last_checkpoint_time = start;
  auto checkpoint = [&] {
    last_checkpoint_time = Clock::now();
    if (checkpoint_dir.empty()) return;
    result.last_checkpoint = save_checkpoint(checkpoint_dir);
    if (hooks.on_checkpoint) hooks.on_checkpoint(result.last_checkpoint, agent_->global_step());
  };
  auto run_eval = [&](int64_t step) {
    EvalOptions eo{.episodes = run_.eval_episodes,
                   .seed = static_cast<uint64_t>(run_.seed) + 1'000'000u};
    EvalResult ev = evaluate(*agent_, env_id_, env_kwargs_, eo);
    sink.log(step, metric::kEvalMeanReturn, ev.mean_return);
    sink.log(step, metric::kEvalStdReturn, ev.std_return);
    if (ev.success_rate) sink.log(step, metric::kEvalSuccessRate, *ev.success_rate);
    if (hooks.on_eval) hooks.on_eval(ev, step);
    return ev;
  };

  // A checkpoint of an iteration a stop cut resumes by finishing it, even past the total (a
  // phase is collected to its end as in the run never stopped).
  while (agent_->global_step() < run_.total_timesteps || agent_->cut_iteration_start()) {
    if (hooks.stop && hooks.stop->load()) {
      result.interrupted = true;
      break;
    }
    // A continued iteration counts from where it began: its logging, evaluations and
    // checkpoints are those of the iteration never cut.
    const int64_t before = agent_->cut_iteration_start().value_or(agent_->global_step());
    try {
      agent_->iterate(watcher);
      watcher.check();  // a storage fault stops the run here, with a checkpoint below
    } catch (const NonFiniteError&) {
      checkpoint();  // the model is still the last good one: the bad update was not applied
      throw;
    } catch (const std::exception&) {
      // An env that failed mid-rollout (e.g. a remote server that vanished) or a sink that can
      // no longer record leaves the model of the last update: keep it, then report the error,
      // not a failed save's (on a full disk the checkpoint may fail too).
      try {
        checkpoint();
      } catch (const std::exception&) {
      }
      throw;
    }
    // Cut by the stop flag: none of the iteration's end is written yet, the checkpoint below
    // carries its progress and the resumed run finishes it.
    if (agent_->cut_iteration_start()) {
      result.interrupted = true;
      break;
    }
    const int64_t step = agent_->global_step();
    // The update means are written before the checkpoint, whose sums then start the next
    // interval. An interrupted run writes none: its resumed run finishes the interval.
    const bool flush = run_.log_interval == 0 || crossed(before, step, run_.log_interval) ||
                       step >= run_.total_timesteps ||
                       std::any_of(hooks.log_at.begin(), hooks.log_at.end(),
                                   [&](int64_t at) { return before < at && at <= step; });
    if (flush) update_means_->flush(sink, step);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double sps = elapsed > 0 ? static_cast<double>(step - start_step) / elapsed : 0.0;
    if (hooks.on_progress)
      hooks.on_progress(
          {step, run_.total_timesteps, elapsed, sps, watcher.mean(), watcher.episodes()});
    const bool timed = hooks.checkpoint_every_seconds > 0 &&
                       std::chrono::duration<double>(Clock::now() - last_checkpoint_time).count() >=
                           hooks.checkpoint_every_seconds;
    if ((crossed(before, step, run_.checkpoint_every) || timed) && step < run_.total_timesteps)
      checkpoint();
    if (crossed(before, step, run_.eval_every) && step < run_.total_timesteps &&
        run_.eval_episodes > 0)
      run_eval(step);
    // Last of the points of an iteration that writes the means: a reader that sees it at `step`
    // sees all the rest (the tracker commits points in the order they were logged), the
    // evaluation's included.
    if (flush) sink.log(step, metric::kStepsPerSecond, sps);
    if (hooks.after_iteration && step < run_.total_timesteps) hooks.after_iteration(step);
  }
  checkpoint();
  if (!result.interrupted && run_.eval_episodes > 0)
    result.final_eval = run_eval(agent_->global_step());
  result.global_step = agent_->global_step();
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace rein::rl
