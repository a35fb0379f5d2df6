// SweepDriver: strategy -> trials -> `rein train` children -> rungs -> trial values.
#include "apps/cli/sweep_driver.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "apps/cli/child_processes.h"
#include "apps/cli/live_block.h"
#include "apps/cli/progress.h"
#include "apps/cli/text_table.h"
#include "base/error.h"
#include "rl/config.h"
#include "rl/metric_names.h"
#include "session/samplers.h"
#include "session/sweep_analysis.h"
#include "tracker/run_facts.h"
#include "tracker/store.h"
#include "tracker/sweep_store.h"

namespace rein::cli {
namespace {

using session::SweepSpec;
using tracker::TrialStatus;

constexpr int64_t kSeedSlots = 100000;  // child id = trial number * kSeedSlots + seed index
constexpr int64_t kLastRungStep = int64_t{1} << 50;  // rungs beyond any run's length

std::string host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return host;
}

// "host:pid": which process (driver or worker) holds a trial's lease.
std::string worker_name() { return str(host_name(), ":", ::getpid()); }

// Whether the lease holder `holder` ("host:pid") is a process of this host that no longer runs
// (killed): its trials need not wait for their leases to expire. Holders on other hosts, or
// named otherwise, are judged by their leases alone.
bool holder_gone(const std::string& holder) {
  const size_t colon = holder.rfind(':');
  if (colon == std::string::npos || holder.substr(0, colon) != host_name()) return false;
  char* end = nullptr;
  const long pid = std::strtol(holder.c_str() + colon + 1, &end, 10);
  if (pid <= 0 || *end != '\0') return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string params_text(const std::vector<tracker::Param>& params) {
  std::string out;
  for (const tracker::Param& p : params)
    out += (out.empty() ? "" : " ") + p.key + "=" + session::display_text(p.value);
  return out;
}

class SweepDriver {
 public:
  SweepDriver(SweepSpec spec, int64_t sweep_id, const SweepOptions& options)
      : spec_(std::move(spec)),
        id_(sweep_id),
        options_(options),
        sweeps_(options.db, tracker::OpenMode::Existing),
        block_(stdout, options.progress),
        started_(std::chrono::steady_clock::now()) {
    if (options.jobs) spec_.jobs = *options.jobs;
    check_jobs(options.jobs ? "sweep: --jobs" : "sweep: the spec's jobs", spec_.jobs);
  }

  void run(const std::atomic<bool>& stop) {
    if (!options_.worker) {
      // Trials left running by a killed driver or worker run again; those a live worker holds
      // (its lease renewed, or its process still running on this host) stay its own.
      sweeps_.set_status(id_, tracker::SweepStatus::Running);
      for (const tracker::TrialInfo& t : sweeps_.trials(id_)) {
        if (t.status != TrialStatus::Running) continue;
        if (sweeps_.take_over_trial(id_, t.number, worker_, options_.lease_seconds, holder_gone))
          begin_trial(t.number, t.params, " again");
        else if (options_.verbose)
          block_.event(str("trial ", t.number, " is running on a live worker; left to it"));
      }
    }
    bool interrupted = false;
    while (true) {
      if (stop && !interrupted) {
        interrupted = true;
        children_.interrupt();
        queue_.clear();
        resumable_.clear();
        // Another worker (or a resume) takes the trials over at once.
        for (const auto& [number, t] : active_) sweeps_.renew_lease(id_, number, worker_, -1);
      }
      if (!interrupted) renew_leases();
      // A slot is a training process at work: paused ones (waiting at a rung) take none.
      while (!interrupted && working() < static_cast<size_t>(spec_.jobs)) {
        if (!resumable_.empty()) {  // paused seeds of judged trials go on first
          const Resumable r = resumable_.front();
          resumable_.pop_front();
          Active& t = active_[r.number];
          if (t.pruned || t.failed || t.lost) continue;
          t.released[r.run_id] = r.step;
          t.resuming.erase(r.run_id);
          children_.resume(r.number * kSeedSlots + r.seed_index);
          continue;
        }
        if (queue_.empty() && !new_trial()) break;
        const auto [number, seed_index] = queue_.front();
        queue_.pop_front();
        const Active& t = active_[number];
        if (t.pruned || t.failed || t.lost) {  // stopped before this seed started
          ++active_[number].ended;
          continue;
        }
        children_.start(number * kSeedSlots + seed_index, child_args(number, seed_index));
      }
      if (children_.running() == 0 && (queue_.empty() || interrupted)) {
        if (interrupted) break;
        if (active_.empty()) {
          // Wait while workers hold trials: one of them may die and leave its trial.
          if (give_up_ || sweeps_.leased_trials(id_) == 0) break;
          std::this_thread::sleep_for(std::chrono::seconds(1));
          continue;
        }
      }
      for (const ChildProcesses::Finished& f : children_.wait(250)) {
        Active& t = active_[f.id / kSeedSlots];
        ++t.ended;
        if (f.status != 0 && !stop && !t.pruned) {
          // The trial has failed: its other seeds stop (paused ones would wait for a rung that
          // is never judged).
          if (!t.failed) stop_trial(f.id / kSeedSlots);
          t.failed = true;
          block_.clear();
          std::fprintf(stderr, "trial %lld: seed %lld failed (exit %d); its last output:\n%s",
                       static_cast<long long>(f.id / kSeedSlots),
                       static_cast<long long>(spec_.seeds[static_cast<size_t>(f.id % kSeedSlots)]),
                       f.status, f.output.c_str());
        }
      }
      if (interrupted) continue;
      judge_rungs();
      show_progress();
      for (auto it = active_.begin(); it != active_.end();) {
        if (it->second.ended == spec_.seeds.size()) {
          if (!it->second.lost) end_trial(it->first, it->second);
          it = active_.erase(it);
        } else {
          ++it;
        }
      }
    }
    block_.finish();
    const bool stopped = interrupted || give_up_;
    // A stopped worker leaves the sweep to the others; the last one to find nothing left to do
    // marks it finished.
    if (!options_.worker || !stopped)
      sweeps_.set_status(
          id_, stopped ? tracker::SweepStatus::Interrupted : tracker::SweepStatus::Finished);
    print_end(stopped);
    if (give_up_)
      throw Error(str("sweep ", id_,
                      " stopped: its first trials all failed (their output is "
                      "above); fix the spec's settings and start it again"));
  }

 private:
  struct Active {
    std::vector<tracker::Param> params;
    double started = 0;  // when this attempt began: its runs started after it
    size_t ended = 0;    // seeds ended (or skipped after pruning)
    bool failed = false, pruned = false;
    bool lost = false;  // the lease expired and another worker took the trial over
    double renewed = 0;
    size_t rungs = 0;  // rungs judged
    // Early stopping: per run, the step at which the driver last let it go on from a pause (0:
    // never paused), and the runs judged and queued in resumable_.
    std::map<int64_t, int64_t> released;
    std::set<int64_t> resuming;
  };
  struct Resumable {
    int64_t number = 0, seed_index = 0, run_id = 0, step = 0;
  };
  struct RunState {
    tracker::RunInfo info;
    int64_t step = 0;
    double steps_per_second = 0;
  };

  std::vector<std::string> child_args(int64_t number, int64_t seed_index) const {
    std::vector<std::string> args = {"train",
                                     spec_.algorithm,
                                     spec_.env,
                                     "--db",
                                     options_.db,
                                     "--experiment",
                                     spec_.name,
                                     "--seed",
                                     std::to_string(spec_.seeds[static_cast<size_t>(seed_index)]),
                                     "--tag",
                                     tracker::sweep_tag(id_),
                                     "--tag",
                                     tracker::trial_tag(id_, number),
                                     "--no-progress",
                                     "--checkpoint-minutes",
                                     "0"};
    for (const auto& [k, v] : spec_.settings) args.insert(args.end(), {"--set", k + "=" + v});
    for (const tracker::Param& p : active_.at(number).params)
      args.insert(args.end(), {"--set", p.key + "=" + rl::param_text(p.value)});
    // Each seed waits at every rung until its trial is judged there, so a trial is judged while
    // its seeds are all still training, whatever `jobs` is.
    if (spec_.early_stopping.enabled) {
      std::string steps;
      for (size_t k = 0; rung_step(k) <= kLastRungStep; ++k) {
        if (!steps.empty()) steps += ',';
        steps += std::to_string(rung_step(k));
      }
      if (!steps.empty()) args.insert(args.end(), {"--pause-at", steps});
    }
    return args;
  }

  // Whether the run waits at a pause: it passed a rung since it last went on, and is not at its
  // end (a run does not pause after its last iteration).
  bool waiting_at_rung(const Active& t, const RunState& r) {
    if (!spec_.early_stopping.enabled || r.info.status != tracker::RunStatus::Running) return false;
    const auto released = t.released.find(r.info.id);
    const int64_t from = released == t.released.end() ? 0 : released->second;
    const int64_t total = run_total(r.info.id);
    return total > 0 && r.step < total && next_rung_after(from) <= r.step;
  }

  // Training processes waiting at a rung (they take no slot).
  size_t paused() {
    if (!spec_.early_stopping.enabled) return 0;
    size_t n = 0;
    for (const auto& [number, t] : active_) {
      if (t.pruned || t.failed || t.lost) continue;
      for (const RunState& r : runs_of(number)) n += waiting_at_rung(t, r);
    }
    return n;
  }

  // Training processes at work: started and not waiting at a rung.
  size_t working() {
    const size_t running = children_.running(), waiting = paused();
    return running > waiting ? running - waiting : 0;
  }

  int64_t seed_index_of(const tracker::RunInfo& run) const {
    for (size_t i = 0; i < spec_.seeds.size(); ++i)
      if (run.seed && spec_.seeds[i] == *run.seed) return static_cast<int64_t>(i);
    return 0;
  }

  // Interrupts every seed of a trial (paused ones wake up to stop).
  void stop_trial(int64_t number) {
    for (size_t i = 0; i < spec_.seeds.size(); ++i)
      children_.interrupt(number * kSeedSlots + static_cast<int64_t>(i));
  }

  // Queues the seeds of a trial this process holds the lease of.
  void begin_trial(int64_t number, const std::vector<tracker::Param>& params, const char* again) {
    Active& t = active_[number];
    t = Active{};
    t.params = params;
    t.started = tracker::now_seconds() - 0.001;
    t.renewed = t.started;
    for (size_t i = 0; i < spec_.seeds.size(); ++i)
      queue_.emplace_back(number, static_cast<int64_t>(i));
    if (options_.verbose)
      block_.event(str("trial ", number, " started", again, ": ", params_text(params)));
  }

  // Extends the leases of this process's trials (a quarter of the lease apart); a trial whose
  // lease was lost is abandoned, its training processes stopped.
  void renew_leases() {
    const double now = tracker::now_seconds();
    for (auto& [number, t] : active_) {
      if (t.lost || now - t.renewed < options_.lease_seconds / 4) continue;
      t.renewed = now;
      if (sweeps_.renew_lease(id_, number, worker_, options_.lease_seconds)) continue;
      t.lost = true;
      for (size_t i = 0; i < spec_.seeds.size(); ++i)
        children_.interrupt(number * kSeedSlots + static_cast<int64_t>(i));
      std::printf("trial %lld: lease lost (another worker took it over); stopping it here\n",
                  static_cast<long long>(number));
      std::fflush(stdout);
    }
  }

  // The next trial: one whose holder's lease expired, or a new one from the strategy within the
  // budget, taken under a lease (so workers sharing the sweep never run it too); false when
  // there is none.
  bool new_trial() {
    if (give_up_) return false;
    const auto claimed =
        sweeps_.claim_trial(id_, worker_, options_.lease_seconds,
                            [&](const std::vector<tracker::TrialInfo>& trials, int64_t number) {
                              return propose(trials, number);
                            });
    if (!claimed) return false;
    begin_trial(claimed->number, claimed->params, claimed->again ? " again" : "");
    return true;
  }

  // The params of trial `number` from the strategy, within the budget; nullopt when there are
  // none.
  std::optional<std::vector<tracker::Param>> propose(const std::vector<tracker::TrialInfo>& trials,
                                                     int64_t number) {
    if (spec_.max_trials && static_cast<int64_t>(trials.size()) >= *spec_.max_trials)
      return std::nullopt;
    if (spec_.max_total_steps && steps_used(trials) >= *spec_.max_total_steps) return std::nullopt;
    std::optional<session::Point> x;
    switch (spec_.strategy) {
      case session::Strategy::Grid:
        x = session::grid_point(spec_, number);
        break;
      case session::Strategy::Random:
        x = session::random_point(spec_, number);
        break;
      case session::Strategy::Tpe:
        x = session::tpe_point(spec_, observations(trials), number,
                               {.startup_trials = spec_.startup_trials});
        break;
    }
    if (!x) return std::nullopt;  // the grid is done
    std::vector<tracker::Param> params;
    for (const session::SearchParam& p : spec_.space)
      params.push_back({p.name, session::from_internal(p, x->at(p.name))});
    return params;
  }

  std::vector<session::Observation> observations(const std::vector<tracker::TrialInfo>& trials) {
    std::vector<session::Observation> out;
    for (const tracker::TrialInfo& t : trials) {
      const bool pruned = t.status == TrialStatus::Pruned;
      if ((t.status != TrialStatus::Complete && !pruned) || !t.value || std::isnan(*t.value))
        continue;
      session::Observation o;
      for (const session::SearchParam& p : spec_.space)
        for (const tracker::Param& v : t.params)
          if (v.key == p.name) o.x[p.name] = session::to_internal(p, v.value);
      if (o.x.size() != spec_.space.size()) continue;  // a spec edited since: skip
      o.state =
          pruned ? session::Observation::State::Pruned : session::Observation::State::Complete;
      o.loss = spec_.maximize ? -*t.value : *t.value;
      o.rungs = static_cast<int64_t>(t.rungs.size());
      out.push_back(std::move(o));
    }
    return out;
  }

  int64_t steps_used(const std::vector<tracker::TrialInfo>& trials) {
    int64_t used = 0;
    for (const tracker::TrialInfo& t : trials)
      if (t.status != TrialStatus::Running) used += t.steps;
    for (const auto& [number, t] : active_)
      for (const RunState& r : runs_of(number)) used += r.step;
    return used;
  }

  // The runs of the current attempt at trial `number` with their latest steps.
  std::vector<RunState> runs_of(int64_t number) {
    tracker::Store& store = this->store();
    std::vector<RunState> out;
    std::vector<int64_t> ids;
    for (tracker::RunInfo& run : store.list_runs({.tag = tracker::trial_tag(id_, number)})) {
      if (run.start_time < active_.at(number).started) continue;
      ids.push_back(run.id);
      out.push_back({std::move(run), 0});
    }
    for (const tracker::LatestValue& l : store.latest(ids, {rl::metric::kStepsPerSecond}))
      for (RunState& r : out)
        if (r.info.id == l.run_id) {
          r.step = l.point.step;
          r.steps_per_second = l.point.value;
        }
    return out;
  }

  tracker::Store& store() {
    if (!store_) store_.emplace(options_.db);
    return *store_;
  }

  // The intermediate value of a run at `step`: the mean of the last 100 points of the metric up
  // to that step (the training return as SB3 reports it), or the last point for eval metrics.
  double value_at(int64_t run_id, int64_t step) {
    const std::string& key = spec_.early_stopping.metric;
    const auto series = store().series({run_id}, key, {.max_points = 0, .max_step = step});
    if (series.empty() || series[0].points.empty()) return NAN;
    const auto& pts = series[0].points;
    const size_t n = key == rl::metric::kEpisodeReturn ? std::min<size_t>(pts.size(), 100) : 1;
    double sum = 0;
    for (size_t i = pts.size() - n; i < pts.size(); ++i) sum += pts[i].value;
    return sum / static_cast<double>(n);
  }

  int64_t rung_step(size_t k) const {
    const int64_t factor = spec_.early_stopping.reduction_factor;
    int64_t step = spec_.early_stopping.min_steps;
    for (size_t i = 0; i < k; ++i) {
      if (step > kLastRungStep / factor) return kLastRungStep + 1;
      step *= factor;
    }
    return step;
  }

  // The first rung after `step`.
  int64_t next_rung_after(int64_t step) const {
    size_t k = 0;
    while (rung_step(k) <= step) ++k;
    return rung_step(k);
  }

  // Asynchronous successive halving: a trial whose every seed passed the next rung's step (each
  // waits there) is judged against every value reported at that rung so far; the worse ones
  // stop, the others' seeds go on as slots free up.
  void judge_rungs() {
    if (!spec_.early_stopping.enabled) return;
    for (auto& [number, t] : active_) {
      if (t.pruned || t.failed || t.lost) continue;
      while (true) {
        const std::vector<RunState> runs = runs_of(number);
        if (runs.size() < spec_.seeds.size()) break;
        // Seeds waiting at a rung already judged go on, oldest run first (runs_of is newest
        // first).
        for (const RunState& r : std::vector<RunState>(runs.rbegin(), runs.rend()))
          if (waiting_at_rung(t, r) && rung_step(t.rungs) > r.step &&
              t.resuming.insert(r.info.id).second)
            resumable_.push_back({number, seed_index_of(r.info), r.info.id, r.step});
        const int64_t step = rung_step(t.rungs);
        int64_t slowest = runs[0].step;
        bool all_running = true;
        for (const RunState& r : runs) {
          slowest = std::min(slowest, r.step);
          all_running = all_running && r.info.status == tracker::RunStatus::Running;
        }
        if (slowest < step || !all_running) break;  // a finished trial is judged at its end
        std::vector<double> values;
        for (const RunState& r : runs) values.push_back(value_at(r.info.id, step));
        const double value = tracker::mean_std(values).mean;
        sweeps_.add_rung(id_, number, step, value);
        std::vector<double> competing;
        for (const tracker::TrialInfo& other : sweeps_.trials(id_))
          if (other.rungs.size() > t.rungs) competing.push_back(other.rungs[t.rungs].second);
        ++t.rungs;
        if (session::promote_at_rung(value, competing, spec_.early_stopping.reduction_factor,
                                     spec_.maximize))
          continue;
        t.pruned = true;
        stop_trial(number);
        block_.event(str("trial ", number, " pruned at step ", format_count(step), ": ",
                         spec_.early_stopping.metric, " ", format_fixed(value),
                         ", not in the best 1/", spec_.early_stopping.reduction_factor, " of ",
                         competing.size(), " at this rung"));
        break;
      }
    }
  }

  void end_trial(int64_t number, Active& t) {
    const std::vector<RunState> runs = runs_of(number);
    int64_t steps = 0;
    for (const RunState& r : runs) steps += r.step;
    if (t.pruned) {
      const auto trials = sweeps_.trials(id_);
      std::optional<double> value;
      for (const tracker::TrialInfo& info : trials)
        if (info.number == number && !info.rungs.empty()) value = info.rungs.back().second;
      sweeps_.end_trial(id_, number, TrialStatus::Pruned, value, steps);
      return;
    }
    std::vector<double> finals;
    std::vector<int64_t> ids;
    for (const RunState& r : runs)
      if (r.info.status == tracker::RunStatus::Finished) ids.push_back(r.info.id);
    for (const auto& m : store().summaries(ids, spec_.metric, 0)) finals.push_back(m.last.value);
    // A completed trial still reports its rungs, so later trials compete against it.
    if (spec_.early_stopping.enabled && !t.failed && ids.size() == spec_.seeds.size()) {
      int64_t shortest = runs.empty() ? 0 : runs[0].step;
      for (const RunState& r : runs) shortest = std::min(shortest, r.step);
      for (size_t k = t.rungs; rung_step(k) <= shortest; ++k) {
        std::vector<double> values;
        for (const RunState& r : runs) values.push_back(value_at(r.info.id, rung_step(k)));
        sweeps_.add_rung(id_, number, rung_step(k), tracker::mean_std(values).mean);
      }
    }
    if (t.failed || finals.size() != spec_.seeds.size()) {
      sweeps_.end_trial(id_, number, TrialStatus::Failed, std::nullopt, steps);
      block_.event(str("trial ", number, " failed: ", finals.size(), " of ", spec_.seeds.size(),
                       " seeds finished with ", spec_.metric));
      // A spec every trial fails with (a misspelt setting, an unknown env) would spend the whole
      // budget on failures: stop once the first trials all failed.
      bool any_good = false;
      for (const tracker::TrialInfo& info : sweeps_.trials(id_))
        any_good =
            any_good || info.status == TrialStatus::Complete || info.status == TrialStatus::Pruned;
      give_up_ = give_up_ || !any_good;
      return;
    }
    const tracker::MeanStd m = tracker::mean_std(finals);
    sweeps_.end_trial(id_, number, TrialStatus::Complete, m.mean, steps);
    const bool better = !best_ || (spec_.maximize ? m.mean > *best_ : m.mean < *best_);
    if (better) best_ = m.mean;
    block_.event(str("trial ", number, " complete: ", spec_.metric, " ", format_fixed(m.mean),
                     " +- ", format_fixed(m.std), " over ", finals.size(), " seeds",
                     better ? " (best so far)" : ""));
  }

  void print_end(bool interrupted) {
    size_t counts[4] = {0, 0, 0, 0};
    for (const tracker::TrialInfo& t : sweeps_.trials(id_)) ++counts[static_cast<int>(t.status)];
    std::printf("sweep %lld %s: %zu complete, %zu pruned, %zu failed%s\n",
                static_cast<long long>(id_), interrupted ? "interrupted" : "finished", counts[1],
                counts[2], counts[3],
                interrupted ? str(", ", counts[0], " to run again").c_str() : "");
    if (interrupted)
      std::printf("continue with: rein sweep resume %lld --db %s\n", static_cast<long long>(id_),
                  options_.db.c_str());
    std::printf("see: rein sweep show %lld --db %s\n", static_cast<long long>(id_),
                options_.db.c_str());
  }

  // The live block: a summary of the sweep, then one line per running trial with its seeds'
  // steps, read from the tracker (what the children recorded).
  void show_progress() {
    if (!block_.due()) return;
    try {
      const std::vector<tracker::TrialInfo> trials = sweeps_.trials(id_);
      size_t counts[4] = {0, 0, 0, 0};
      for (const tracker::TrialInfo& t : trials) ++counts[static_cast<int>(t.status)];
      std::string budget;
      if (spec_.max_trials)
        budget = str(" of ", *spec_.max_trials);
      else if (spec_.strategy == session::Strategy::Grid)
        budget = str(" of ", session::grid_size(spec_));
      std::string head = str("trials ", trials.size(), budget, ": ", counts[1], " complete, ",
                             counts[2], " pruned, ", counts[3], " failed, ", counts[0], " running");
      const auto ranked = session::ranked_trials(trials, spec_.maximize);
      head += ranked.empty() ? str("  best ", kMissing)
                             : str("  best ", format_fixed(*ranked[0]->value), " (trial ",
                                   ranked[0]->number, ")");
      std::vector<std::string> lines = {head};
      double sps = 0;
      for (const auto& [number, t] : active_) {
        const std::vector<RunState> runs = runs_of(number);
        int64_t steps = 0, per_run = 0;
        size_t running = 0, ended = 0;
        std::vector<int64_t> ids;
        for (const RunState& r : runs) {
          steps += r.step;
          per_run = std::max(per_run, run_total(r.info.id));
          ids.push_back(r.info.id);
          if (r.info.status == tracker::RunStatus::Running) {
            ++running;
            sps += r.steps_per_second;
          } else {
            ++ended;
          }
        }
        const int64_t total = per_run * static_cast<int64_t>(spec_.seeds.size());
        double ret_sum = 0;
        size_t rets = 0;
        for (const auto& m : store().summaries(ids, tracker::kTrainReturnKey))
          if (m.recent_count > 0) {
            ret_sum += m.recent_mean;
            ++rets;
          }
        const double frac = total > 0 ? static_cast<double>(steps) / static_cast<double>(total) : 0;
        lines.push_back(str("  trial ", number, "  ", progress_bar(frac, 16), " ",
                            format_count(steps), "/", total > 0 ? format_count(total) : "?",
                            " steps  seeds ", ended, " done, ", running, " running, ",
                            spec_.seeds.size() - ended - running, " waiting  return ",
                            rets ? format_fixed(ret_sum / static_cast<double>(rets), 1) : "-",
                            t.pruned ? "  (pruned, stopping)" : ""));
      }
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      lines[0] += str("  ", format_count(std::llround(sps)), " steps/s  elapsed ",
                      tracker::format_duration(elapsed));
      block_.update(lines);
    } catch (const std::exception&) {
      // The display is a courtesy: a database busy with the children's writes is read next time.
    }
  }

  // A run's total_timesteps (from its params; 0 until it recorded them).
  int64_t run_total(int64_t run_id) {
    auto it = run_totals_.find(run_id);
    if (it != run_totals_.end()) return it->second;
    for (const tracker::Param& p : store().params(run_id))
      if (p.key == "total_timesteps" && std::holds_alternative<int64_t>(p.value))
        return run_totals_[run_id] = std::get<int64_t>(p.value);
    return 0;
  }

  SweepSpec spec_;
  int64_t id_;
  SweepOptions options_;
  tracker::SweepStore sweeps_;
  LiveBlock block_;
  std::chrono::steady_clock::time_point started_;
  std::map<int64_t, int64_t> run_totals_;
  std::optional<tracker::Store> store_;
  ChildProcesses children_;
  std::map<int64_t, Active> active_;
  std::deque<std::pair<int64_t, int64_t>> queue_;  // (trial, seed index) waiting for a slot
  std::deque<Resumable> resumable_;  // paused seeds of judged trials, waiting for a slot
  std::optional<double> best_;
  bool give_up_ = false;  // every trial so far failed: start no more
  const std::string worker_ = worker_name();
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(str("sweep: cannot read '", path, "' (no such file?)"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void describe(const SweepSpec& spec, int64_t id, const SweepOptions& options) {
  std::string budget;
  if (spec.max_trials) budget += str(*spec.max_trials, " trials");
  if (spec.max_total_steps)
    budget += str(budget.empty() ? "" : ", ", format_count(*spec.max_total_steps), " steps");
  if (budget.empty()) budget = str("the grid's ", session::grid_size(spec), " points");
  std::printf(
      "sweep %lld (%s): %s on %s, %s, %zu seeds per trial, budget %s, %lld jobs%s "
      "(db %s)\n",
      static_cast<long long>(id), spec.name.c_str(), spec.algorithm.c_str(), spec.env.c_str(),
      session::to_string(spec.strategy), spec.seeds.size(), budget.c_str(),
      static_cast<long long>(options.jobs.value_or(spec.jobs)),
      spec.early_stopping.enabled ? ", early stopping" : "", options.db.c_str());
  std::fflush(stdout);
}

}  // namespace

int64_t start_sweep(const std::string& spec_file, const SweepOptions& options,
                    const std::atomic<bool>& stop) {
  SweepSpec spec = session::parse_sweep_spec(read_file(spec_file), spec_file);
  // Checked before the sweep is recorded, so a refused spec leaves no sweep behind; each worker
  // checks its own --jobs too.
  check_jobs(options.jobs ? "sweep: --jobs" : "sweep: the spec's jobs",
             options.jobs.value_or(spec.jobs));
  tracker::SweepStore sweeps(options.db);
  const int64_t id = sweeps.create_sweep(spec.name, spec.text);
  if (options.create_only) {
    std::printf("sweep %lld (%s) created; start workers with: rein sweep worker %lld --db %s\n",
                static_cast<long long>(id), spec.name.c_str(), static_cast<long long>(id),
                options.db.c_str());
    return id;
  }
  describe(spec, id, options);
  SweepDriver(std::move(spec), id, options).run(stop);
  return id;
}

int64_t resume_sweep(const std::string& id_or_name, const SweepOptions& options,
                     const std::atomic<bool>& stop) {
  tracker::SweepStore sweeps(options.db, tracker::OpenMode::Existing);
  const tracker::SweepInfo info = sweeps.resolve_sweep(id_or_name);
  if (info.status == tracker::SweepStatus::Finished)
    throw Error(str("sweep ", info.id, " (", info.name,
                    ") already finished; see: rein sweep "
                    "show ",
                    info.id, " --db ", options.db));
  SweepSpec spec = session::parse_sweep_spec(info.spec, str("sweep ", info.id));
  describe(spec, info.id, options);
  SweepDriver(std::move(spec), info.id, options).run(stop);
  return info.id;
}

int64_t work_on_sweep(const std::string& id_or_name, SweepOptions options,
                      const std::atomic<bool>& stop) {
  if (!(options.lease_seconds >= 5))
    throw Error(
        str("sweep worker: --lease must be at least 5 seconds (got ", options.lease_seconds, ")"));
  options.worker = true;
  tracker::SweepStore sweeps(options.db, tracker::OpenMode::Existing);
  const tracker::SweepInfo info = sweeps.resolve_sweep(id_or_name);
  if (info.status == tracker::SweepStatus::Finished)
    throw Error(str("sweep ", info.id, " (", info.name, ") already finished; see: rein sweep show ",
                    info.id, " --db ", options.db));
  SweepSpec spec = session::parse_sweep_spec(info.spec, str("sweep ", info.id));
  describe(spec, info.id, options);
  SweepDriver(std::move(spec), info.id, options).run(stop);
  return info.id;
}

}  // namespace rein::cli
