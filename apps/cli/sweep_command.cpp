// `rein sweep SPEC.toml | resume ID | show ID [--json]`: hyperparameter sweeps (sweep_driver.h)
// and what they found: the best trials, each parameter's effect and the trial table.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/cli/commands.h"
#include "apps/cli/progress.h"
#include "apps/cli/sweep_driver.h"
#include "apps/cli/text_table.h"
#include "base/error.h"
#include "rl/config.h"
#include "session/stop_signals.h"
#include "session/sweep_analysis.h"
#include "session/sweep_spec.h"
#include "tracker/run_facts.h"
#include "tracker/sweep_store.h"

namespace rein::cli {
namespace {

using Json = nlohmann::ordered_json;
using tracker::TrialInfo;
using tracker::TrialStatus;

std::string fixed(double v) { return std::isnan(v) ? kMissing : format_fixed(v); }

Json value_json(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// How a rank correlation reads for the objective's direction.
std::string trend(double rho, bool maximize) {
  if (std::isnan(rho)) return kMissing;
  if (std::abs(rho) < 0.3) return "no clear trend";
  const bool larger_better = (rho > 0) == maximize;
  return str(larger_better ? "larger" : "smaller", " values did better",
             std::abs(rho) >= 0.7 ? "" : " (weakly)");
}

void show_sweep(const std::string& db, const std::string& id_or_name, bool as_json) {
  tracker::SweepStore sweeps(db, tracker::OpenMode::ReadOnly);
  const tracker::SweepInfo info = sweeps.resolve_sweep(id_or_name);
  const session::SweepSpec spec = session::parse_sweep_spec(info.spec, str("sweep ", info.id));
  const std::vector<TrialInfo> trials = sweeps.trials(info.id);
  const std::vector<const TrialInfo*> best = session::ranked_trials(trials, spec.maximize);
  std::vector<session::ParamEffect> effects;
  for (const session::SearchParam& p : spec.space)
    effects.push_back(session::param_effect(p, best, spec.maximize));
  size_t counts[4] = {0, 0, 0, 0};
  for (const TrialInfo& t : trials) ++counts[static_cast<int>(t.status)];

  if (as_json) {
    Json out;
    out["id"] = info.id;
    out["name"] = info.name;
    out["status"] = tracker::to_string(info.status);
    out["algorithm"] = spec.algorithm;
    out["env"] = spec.env;
    out["strategy"] = session::to_string(spec.strategy);
    out["metric"] = spec.metric;
    out["direction"] = spec.maximize ? "maximize" : "minimize";
    out["seeds"] = spec.seeds;
    out["best"] = Json::array();
    for (const TrialInfo* t : best) out["best"].push_back(t->number);
    Json& fx = out["effects"] = Json::object();
    Json& rank = out["rank_correlation"] = Json::object();
    for (const session::ParamEffect& e : effects) {
      fx[e.param] = Json::array();
      for (const session::EffectLevel& l : e.levels)
        fx[e.param].push_back({{"level", l.level},
                               {"mean", value_json(l.stats.mean)},
                               {"std", value_json(l.stats.std)},
                               {"best", value_json(l.best)},
                               {"best_trial", l.best_trial},
                               {"trials", l.stats.count}});
      rank[e.param] = {{"spearman", value_json(e.spearman)}, {"trials", e.trials}};
    }
    out["trials"] = Json::array();
    for (const TrialInfo& t : trials) {
      Json j;
      j["number"] = t.number;
      j["status"] = tracker::to_string(t.status);
      j["value"] = t.value ? value_json(*t.value) : Json(nullptr);
      j["steps"] = t.steps;
      j["params"] = Json::object();
      for (const tracker::Param& p : t.params)
        std::visit([&](const auto& v) { j["params"][p.key] = v; }, p.value);
      j["rungs"] = Json::array();
      for (const auto& [step, v] : t.rungs) j["rungs"].push_back({step, value_json(v)});
      j["tag"] = tracker::trial_tag(info.id, t.number);
      out["trials"].push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }

  std::printf("sweep %lld (%s): %s on %s, %s, %s %s, %zu seeds per trial, %s\n",
              static_cast<long long>(info.id), info.name.c_str(), spec.algorithm.c_str(),
              spec.env.c_str(), session::to_string(spec.strategy),
              spec.maximize ? "maximize" : "minimize", spec.metric.c_str(), spec.seeds.size(),
              tracker::to_string(info.status));
  std::printf("trials: %zu complete, %zu pruned, %zu failed, %zu running\n", counts[1], counts[2],
              counts[3], counts[0]);
  const size_t width = terminal_columns();
  if (!best.empty()) {
    std::printf("\nbest trials\n");
    std::vector<std::vector<std::string>> rows = {{"RANK", "TRIAL", "VALUE", "PARAMS"}};
    for (size_t i = 0; i < best.size() && i < 5; ++i) {
      std::string params;
      for (const tracker::Param& p : best[i]->params)
        params += (params.empty() ? "" : " ") + p.key + "=" + session::display_text(p.value);
      rows.push_back(
          {std::to_string(i + 1), std::to_string(best[i]->number), fixed(*best[i]->value), params});
    }
    print_table(rows, width);
    std::printf(
        "\neach parameter's effect (%s of the complete trials, per choice or per third of "
        "the values tried)\n",
        spec.metric.c_str());
    std::vector<std::vector<std::string>> fx = {
        {"PARAM", "VALUES", "TRIALS", "MEAN", "STD", "BEST", "BEST TRIAL"}};
    for (const session::ParamEffect& e : effects)
      for (const session::EffectLevel& l : e.levels)
        fx.push_back({e.param, l.level, std::to_string(l.stats.count), fixed(l.stats.mean),
                      fixed(l.stats.std), fixed(l.best), std::to_string(l.best_trial)});
    print_table(fx, width);
    std::printf("\nrank correlation of each parameter with %s (Spearman's rho, complete trials)\n",
                spec.metric.c_str());
    std::vector<std::vector<std::string>> rho = {{"PARAM", "RHO", "TRIALS", "READS"}};
    for (const session::ParamEffect& e : effects)
      rho.push_back({e.param,
                     std::isnan(e.spearman)
                         ? kMissing
                         : (e.spearman > 0 ? "+" : "") + format_fixed(e.spearman),
                     std::to_string(e.trials), trend(e.spearman, spec.maximize)});
    print_table(rho, width);
  }
  std::printf("\ntrials\n");
  std::vector<std::vector<std::string>> rows = {{"TRIAL", "STATUS", "VALUE", "STEPS"}};
  for (const session::SearchParam& p : spec.space) rows[0].push_back(p.name);
  bool any_pruned = false;
  for (const TrialInfo& t : trials) {
    // A pruned trial's value is its last rung's, of the early-stopping metric: marked.
    const bool pruned = t.status == TrialStatus::Pruned && t.value;
    any_pruned = any_pruned || pruned;
    std::vector<std::string> row = {std::to_string(t.number), tracker::to_string(t.status),
                                    t.value ? fixed(*t.value) + (pruned ? "*" : "") : kMissing,
                                    format_count(t.steps)};
    for (const session::SearchParam& p : spec.space) {
      const auto* v = session::trial_param(t, p.name);
      row.push_back(v ? session::display_text(*v) : kMissing);
    }
    rows.push_back(std::move(row));
  }
  print_table(rows, width);
  if (any_pruned)
    std::printf("* pruned: %s at its last rung, not the objective\n",
                spec.early_stopping.metric.c_str());
  std::printf("\nruns of a trial: rein runs list --tag trial:%lld.N --db %s\n",
              static_cast<long long>(info.id), db.c_str());
}

struct SweepArgs {
  std::string spec_file, target, db = default_db();
  std::optional<int64_t> jobs;
  bool json = false, quiet = false, no_progress = false, create_only = false;
};

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Search hyperparameters: rein sweep SPEC.toml | resume ID | worker ID | show ID");
  cmd->add_option("spec", a->spec_file, "sweep spec (TOML), e.g. examples/sweeps/quick.toml");
  cmd->add_option("--db", a->db,
                  "tracker database: a file, or postgresql://user@host[:port]/dbname")
      ->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "training processes at once (default: the spec's jobs)");
  cmd->add_flag("--quiet", a->quiet, "no line per started trial");
  cmd->add_flag("--no-progress", a->no_progress,
                "no live progress (on a terminal: the trials, the best value and each running "
                "trial's steps, redrawn in place; otherwise a few plain lines every 10 s)");
  cmd->add_flag("--create", a->create_only,
                "record the sweep and print its id without running it (for rein sweep worker)");
  cmd->footer(
      "A spec names the algorithm and env, fixed settings, the search space over any --set\n"
      "key, the strategy, the seeds of each trial, a budget and early stopping:\n\n"
      "  name = \"quick\"\n"
      "  algorithm = \"ppo\"\n"
      "  env = \"CartPole-v1\"\n"
      "  metric = \"eval/mean_return\"   # objective: mean over seeds of its final value\n"
      "  direction = \"maximize\"        # or minimize\n"
      "  strategy = \"tpe\"              # grid, random or tpe (Optuna's default sampler)\n"
      "  startup_trials = 10           # tpe: random trials before the model\n"
      "  seeds = 2                     # seeds 0 and 1 of every trial (or a list: [1, 5])\n"
      "  trials = 20                   # budget: trials; and/or total_steps = N env steps\n"
      "  jobs = 2                      # training processes at once\n"
      "  [settings]                    # fixed --set values of every trial\n"
      "  total_timesteps = 20000\n"
      "  [params]                      # choice, uniform, log_uniform or int (log = true)\n"
      "  learning_rate = { type = \"log_uniform\", low = 1e-4, high = 1e-2 }\n"
      "  n_epochs = { type = \"int\", low = 2, high = 10 }\n"
      "  batch_size = { type = \"choice\", values = [32, 64, 128] }\n"
      "  [early_stopping]              # asynchronous successive halving (ASHA)\n"
      "  metric = \"train/episode_return\"\n"
      "  min_steps = 5000              # first rung; then x reduction_factor\n"
      "  reduction_factor = 3          # keep the best third at every rung\n\n"
      "grid needs choices or grid_points = N on ranges. The sweep, its trials and their runs\n"
      "(tagged sweep:ID and trial:ID.N) live in --db; a killed sweep continues with\n"
      "rein sweep resume ID (finished trials are kept, unfinished ones run again unless a live\n"
      "rein sweep worker holds them).");

  CLI::App* resume = cmd->add_subcommand("resume", "Continue a sweep that was stopped or killed");
  resume->add_option("sweep", a->target, "sweep id or name")->required();
  resume
      ->add_option("--db", a->db,
                   "tracker database: a file, or postgresql://user@host[:port]/dbname")
      ->capture_default_str();
  resume->add_option("--jobs", a->jobs, "training processes at once (default: the spec's jobs)");
  resume->add_flag("--quiet", a->quiet, "no line per started trial");
  resume->add_flag("--no-progress", a->no_progress, "no live progress");
  resume->callback([a] {
    const session::StopSignals signals;
    resume_sweep(a->target, {a->db, a->jobs, !a->quiet, !a->no_progress}, signals.flag());
  });

  auto lease = std::make_shared<double>(60);
  CLI::App* worker = cmd->add_subcommand(
      "worker",
      "Work on a sweep beside other workers (on this or other machines, sharing --db): take "
      "trials under leases until the budget is spent");
  worker->add_option("sweep", a->target, "sweep id or name")->required();
  worker
      ->add_option("--db", a->db,
                   "tracker database every worker shares, e.g. postgresql://user@host/dbname")
      ->capture_default_str();
  worker->add_option("--jobs", a->jobs, "training processes at once (default: the spec's jobs)");
  worker
      ->add_option("--lease", *lease,
                   "seconds a trial stays this worker's without a renewal; a killed worker's "
                   "trial goes to another worker after this long")
      ->capture_default_str();
  worker->footer(
      "Create the sweep without running it (rein sweep SPEC.toml --create --db URL), then start\n"
      "any number of workers on any machines. A worker renews the leases of its trials every\n"
      "quarter lease; when a worker dies, its trials are run again by the next worker looking\n"
      "for work once their leases expire. Ctrl-C gives a worker's trials back at once.\n"
      "rein sweep resume may run beside workers: it leaves their trials to them.");
  worker->callback([a, lease] {
    const session::StopSignals signals;
    SweepOptions options{a->db, a->jobs, !a->quiet};
    options.lease_seconds = *lease;
    work_on_sweep(a->target, options, signals.flag());
  });

  CLI::App* show = cmd->add_subcommand("show", "Best trials, each parameter's effect, trials");
  show->add_option("sweep", a->target, "sweep id or name")->required();
  show->add_option("--db", a->db,
                   "tracker database: a file, or postgresql://user@host[:port]/dbname")
      ->capture_default_str();
  show->add_flag("--json", a->json, "print JSON");
  show->callback([a] { show_sweep(a->db, a->target, a->json); });

  cmd->callback([a, cmd] {
    if (!cmd->get_subcommands().empty()) return;  // resume / worker / show ran
    if (a->spec_file.empty())
      throw Error(
          "sweep: give a spec file (rein sweep SPEC.toml), or resume ID / show ID; see "
          "rein sweep --help");
    const session::StopSignals signals;
    SweepOptions options{a->db, a->jobs, !a->quiet, !a->no_progress};
    options.create_only = a->create_only;
    start_sweep(a->spec_file, options, signals.flag());
  });
}

}  // namespace rein::cli
