// SweepStore: hyperparameter sweeps and their trials, in the same database as the runs. A
// sweep keeps its spec (TOML text) and status; a trial keeps its number, its sampled params, its
// status, its objective value, the intermediate values early stopping judged it on, and the env
// steps it used. A trial's runs are ordinary runs tagged trial:<sweep id>.<number>, so every
// `rein runs` command and the dashboard read them. The processes running a sweep (a driver,
// workers) hold its running trials under leases; readers may look at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tracker/types.h"

namespace rein::tracker {

// running: its driver or workers are (or were, if killed) working on it; finished: budget used
// or the grid exhausted; interrupted: stopped by Ctrl-C. A killed driver leaves running (resume
// continues).
enum class SweepStatus { Running, Finished, Interrupted };
// running: started, not ended (a killed process's running trials are run again on resume);
// complete: every seed finished; pruned: stopped early by successive halving; failed: a seed
// failed.
enum class TrialStatus { Running, Complete, Pruned, Failed };

const char* to_string(SweepStatus status);
const char* to_string(TrialStatus status);

struct SweepInfo {
  std::int64_t id = 0;
  std::string name{};
  std::string spec{};  // the TOML text it was started from
  SweepStatus status = SweepStatus::Running;
  double created = 0;
  double updated = 0;
};

struct TrialInfo {
  std::int64_t sweep_id = 0;
  std::int64_t number = 0;      // 0, 1, ... in the order trials were started
  std::vector<Param> params{};  // the sampled values, typed
  TrialStatus status = TrialStatus::Running;
  std::optional<double> value{};  // objective (complete), or the last rung value (pruned)
  std::vector<std::pair<std::int64_t, double>> rungs{};  // (step, intermediate value)
  std::int64_t steps = 0;                                // env steps its runs trained
  double started = 0;
  std::optional<double> ended{};
};

// A trial a worker took: a new one, or one whose previous worker's lease expired (`again`).
struct ClaimedTrial {
  std::int64_t number = 0;
  std::vector<Param> params{};
  bool again = false;
};

// Given the sweep's trials and the number the next one gets, the params of a new trial, or
// nullopt when the budget is spent or the strategy has nothing left (a finished grid).
using ProposeTrial = std::function<std::optional<std::vector<Param>>(
    const std::vector<TrialInfo>& trials, std::int64_t number)>;

// The tag every run of a trial carries.
std::string trial_tag(std::int64_t sweep_id, std::int64_t number);
// The tag every run of a sweep carries.
std::string sweep_tag(std::int64_t sweep_id);

class SweepStore {
 public:
  // Opens the database at `db_path` in `mode` (tracker/types.h OpenMode: ReadWrite creates it,
  // Existing and ReadOnly need it there). Throws Error as Store does; a read-only database
  // written before sweeps existed reads as having none.
  explicit SweepStore(const std::string& db_path, OpenMode mode = OpenMode::ReadWrite);
  ~SweepStore();
  SweepStore(SweepStore&&) noexcept;
  SweepStore& operator=(SweepStore&&) noexcept;

  std::int64_t create_sweep(const std::string& name, const std::string& spec);
  std::vector<SweepInfo> list_sweeps();
  // An id ("3") or a name (the newest sweep of that name). Throws Error naming the sweeps.
  SweepInfo resolve_sweep(const std::string& id_or_name);
  void set_status(std::int64_t sweep_id, SweepStatus status);

  // Starts trial `number` (again, if a killed sweep left it running: its rungs are cleared).
  void start_trial(std::int64_t sweep_id, std::int64_t number, const std::vector<Param>& params);
  void add_rung(std::int64_t sweep_id, std::int64_t number, std::int64_t step, double value);
  void end_trial(std::int64_t sweep_id, std::int64_t number, TrialStatus status,
                 std::optional<double> value, std::int64_t steps);
  // In number order.
  std::vector<TrialInfo> trials(std::int64_t sweep_id);

  // --- workers (rein sweep worker): trials under leases ---------------------------------------
  // In one write transaction, so two workers never take the same trial: takes over the
  // lowest-numbered running trial whose lease expired (its worker died or was stopped), or else
  // starts a new trial with the params `propose` gives; either way leased to `worker` for
  // `lease_seconds`. nullopt when no lease expired and `propose` gives nothing.
  std::optional<ClaimedTrial> claim_trial(std::int64_t sweep_id, const std::string& worker,
                                          double lease_seconds, const ProposeTrial& propose);
  // Extends the lease of `worker` on the trial (a negative `lease_seconds` gives the trial back
  // at once). False when the trial is no longer this worker's: its lease expired and another
  // worker took it over, or it ended; the worker must then stop working on it.
  bool renew_lease(std::int64_t sweep_id, std::int64_t number, const std::string& worker,
                   double lease_seconds);
  // Running trials under a lease that has not expired (other workers are on them).
  std::int64_t leased_trials(std::int64_t sweep_id);
  // In one write transaction: runs trial `number`, left running, again from the start under a
  // lease to `worker`, unless its holder is still on it (its lease has not expired and
  // `holder_gone(holder)` is false). True when taken; false when its holder keeps it or it is
  // no longer running. `rein sweep resume` takes a killed driver's or worker's trials this way.
  bool take_over_trial(std::int64_t sweep_id, std::int64_t number, const std::string& worker,
                       double lease_seconds,
                       const std::function<bool(const std::string& holder)>& holder_gone);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rein::tracker
