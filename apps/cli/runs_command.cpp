// rein runs list | show | compare | export | tag | rename | rm | gc | sync: the tracker database
// from the command line. Glue only: parse flags, call rein::tracker::Store, print a table or, with
// --json, the run JSON every reader shares (tracker/run_facts.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "apps/cli/commands.h"
#include "apps/cli/text_table.h"
#include "base/files.h"
#include "tracker/export.h"
#include "tracker/group_statistics.h"
#include "tracker/run_facts.h"
#include "tracker/store.h"
#include "tracker/sync.h"

namespace rein::cli {

namespace {

using namespace rein::tracker;

// Every runs subcommand works on runs that are there: none creates a database.
Store open_store(const std::string& db, bool write) {
  return Store(db, {.mode = write ? OpenMode::Existing : OpenMode::ReadOnly});
}

using Json = nlohmann::ordered_json;

std::string local_time(double t) {
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string join(const std::vector<std::string>& xs, const char* sep) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

// One run in the shape every --json output shares.
Json run_json(Store& store, std::int64_t id, const RunJsonParts& parts) {
  return Json::parse(tracker::run_json(store, id, parts, now_seconds()));
}

// Rows an older rein stored unchecked may hold bytes that are not UTF-8: replaced (U+FFFD), so
// one such row cannot make a whole listing fail.
void print_json(const Json& j) {
  std::cout << j.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

struct ListOptions {
  std::string experiment, env, algorithm, status, tag, name;
  std::vector<std::string> params;
  std::size_t limit = 0;
  std::string sort;  // "", "return" or "train-return": best first
  bool json = false;
};

void list_runs(const std::string& db, const ListOptions& o) {
  Store store = open_store(db, false);
  RunFilter f;
  if (!o.experiment.empty()) f.experiment = o.experiment;
  if (!o.env.empty()) f.env = o.env;
  if (!o.algorithm.empty()) f.algorithm = o.algorithm;
  if (!o.status.empty()) f.status = parse_run_status(o.status);
  if (!o.tag.empty()) f.tag = o.tag;
  if (!o.name.empty()) f.name_contains = o.name;
  for (const std::string& kv : o.params) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::runtime_error("runs list: --param expects key=value, got '" + kv + "'");
    }
    f.params.push_back({kv.substr(0, eq), parse_param_value(kv.substr(eq + 1))});
  }
  f.limit = o.limit;
  std::vector<RunInfo> runs = store.list_runs(f);
  if (o.json) {
    Json out = Json::array();
    for (const RunInfo& r : runs) out.push_back(run_json(store, r.id, {}));
    print_json(out);
    return;
  }
  if (runs.empty()) {
    std::cout << "no runs in " << db << (f.limit || o.params.size() ? " matching the filters" : "")
              << "\n";
    return;
  }
  // "Which run is best?": the final evaluation and the last-100-episode training mean, from the
  // same query the dashboard's runs table uses.
  std::vector<std::int64_t> ids;
  for (const RunInfo& r : runs) ids.push_back(r.id);
  std::map<std::int64_t, double> eval, train;
  for (const auto& m : store.summaries(ids, tracker::kEvalReturnKey, 0))
    eval[m.run_id] = m.last.value;
  for (const auto& m : store.summaries(ids, tracker::kTrainReturnKey))
    train[m.run_id] = m.recent_mean;
  if (!o.sort.empty()) {
    const auto& by = o.sort == "return" ? eval : train;
    auto value = [&](const RunInfo& r) {
      auto it = by.find(r.id);
      return it == by.end() || std::isnan(it->second) ? -HUGE_VAL : it->second;
    };
    std::stable_sort(runs.begin(), runs.end(),
                     [&](const RunInfo& a, const RunInfo& b) { return value(a) > value(b); });
  }
  auto cell = [](const std::map<std::int64_t, double>& m, std::int64_t id) {
    auto it = m.find(id);
    return it == m.end() ? std::string(kMissing) : number_text(it->second);
  };
  const double now = now_seconds();
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "EXPERIMENT", "ALGO", "ENV", "SEED",
                                                 "STATUS", "RETURN", "TRAIN RETURN", "STARTED",
                                                 "TIME", "TAGS"}};
  for (const RunInfo& r : runs) {
    rows.push_back({std::to_string(r.id), r.name, r.experiment, r.algorithm, r.env,
                    r.seed ? std::to_string(*r.seed) : kMissing, to_string(r.status),
                    cell(eval, r.id), cell(train, r.id), local_time(r.start_time),
                    format_duration(run_duration_seconds(r, now)), join(r.tags, ",")});
  }
  print_table(rows, terminal_columns());
}

void show_run(const std::string& db, const std::string& which, bool json) {
  Store store = open_store(db, false);
  RunInfo r = store.resolve_run(which);
  if (json) {
    print_json(run_json(store, r.id, {.final_metrics = true, .artifacts = true}));
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"id", std::to_string(r.id)},
      {"name", r.name},
      {"experiment", r.experiment},
      {"algorithm", r.algorithm},
      {"env", r.env},
      {"seed", r.seed ? std::to_string(*r.seed) : kMissing},
      {"status", std::string(to_string(r.status)) + (r.error.empty() ? "" : ": " + r.error)},
      {"started", local_time(r.start_time)},
      {"time", format_duration(run_duration_seconds(r, now_seconds()))},
      {"host", r.host + " (pid " + std::to_string(r.pid) + ")"},
      {"rein", r.rein_version},
      {"command", r.command},
      {"tags", join(r.tags, ", ")}};
  print_table(rows);
  std::cout << "\nparams:\n";
  for (const Param& p : store.params(r.id)) {
    std::cout << "  " << p.key << " = " << format_param_value(p.value) << "\n";
  }
  std::cout << "\nfinal metrics (step, value, points):\n";
  std::vector<std::vector<std::string>> m;
  for (const LatestValue& l : store.latest({r.id})) {
    m.push_back({"  " + l.key, std::to_string(l.point.step), number_text(l.point.value),
                 std::to_string(l.count)});
  }
  print_table(m);
  std::vector<Artifact> arts = store.artifacts(r.id);
  if (!arts.empty()) {
    std::cout << "\nartifacts:\n";
    for (const Artifact& a : arts) {
      std::cout << "  " << a.kind << "  " << a.path
                << (a.step ? "  (step " + std::to_string(*a.step) + ")" : "") << "\n";
    }
  }
  if (!r.summary.empty()) std::cout << "\nsummary: " << r.summary << "\n";
}

struct CompareOptions {
  std::vector<std::string> runs, metrics;
  std::string group_by;
  BootstrapOptions bootstrap;
  std::size_t profile = 0;
  bool improvement = false;
  bool json = false;
};

// "441.3 [230.8, 497]": an estimate and its interval.
std::string estimate_text(const Estimate& e) {
  return number_text(e.value) + " [" + number_text(e.ci.lo) + ", " + number_text(e.ci.hi) + "]";
}

// Runs side by side: every param any of them has (a param a run lacks reads "—", e.g. PPO's
// clip_range beside A2C), their final metrics, and seeds of one configuration aggregated: mean ±
// std, and mean, median and IQM with stratified-bootstrap confidence intervals.
void compare_runs(const std::string& db, const CompareOptions& o) {
  Store store = open_store(db, false);
  std::vector<RunInfo> runs;
  for (const std::string& w : o.runs) runs.push_back(store.resolve_run(w));
  std::vector<std::int64_t> ids;
  for (const RunInfo& r : runs) ids.push_back(r.id);
  std::map<std::string, std::map<std::int64_t, double>> finals;
  for (const LatestValue& l : store.latest(ids, o.metrics)) finals[l.key][l.run_id] = l.point.value;
  for (const std::string& k : o.metrics) finals[k];  // asked for, logged by none: still a row

  // Seeds of one configuration (or runs sharing --group-by), two runs or more.
  const std::vector<GroupStatistics> groups = group_statistics(store, ids,
                                                               {.group_by = o.group_by,
                                                                .metrics = o.metrics,
                                                                .min_runs = 2,
                                                                .bootstrap = o.bootstrap,
                                                                .profile_points = o.profile});
  const std::vector<Improvement> improvements =
      o.improvement ? pairwise_improvement(groups, o.bootstrap) : std::vector<Improvement>{};
  if (o.json) {
    Json out = {{"runs", Json::array()}};
    for (std::int64_t id : ids) {
      out["runs"].push_back(run_json(store, id, {.final_metrics = true, .metric_keys = o.metrics}));
    }
    Json stats = Json::parse(group_statistics_json(groups, o.bootstrap, improvements));
    out["groups"] = std::move(stats["groups"]);
    out["bootstrap"] = std::move(stats["bootstrap"]);
    if (stats.contains("improvement")) out["improvement"] = std::move(stats["improvement"]);
    print_json(out);
    return;
  }

  std::vector<std::map<std::string, std::string>> params;
  std::set<std::string> keys;
  for (const RunInfo& r : runs) {
    std::map<std::string, std::string> p = {{"algorithm", r.algorithm},
                                            {"env", r.env},
                                            {"seed", r.seed ? std::to_string(*r.seed) : kMissing}};
    for (const Param& x : store.params(r.id)) p[x.key] = format_param_value(x.value);
    for (const auto& [k, v] : p) keys.insert(k);
    params.push_back(std::move(p));
  }
  std::vector<std::string> header = {"PARAM"};
  for (const RunInfo& r : runs) header.push_back(r.name);
  std::vector<std::vector<std::string>> rows = {header};
  for (const std::string& k : keys) {
    std::vector<std::string> row = {k};
    std::set<std::string> distinct;
    for (const auto& p : params) {
      auto it = p.find(k);
      row.push_back(it == p.end() ? kMissing : it->second);
      distinct.insert(row.back());
    }
    if (distinct.size() > 1) row[0] = "* " + k;  // differs between the runs
    rows.push_back(row);
  }
  print_table(rows);

  std::cout << "\n";
  std::vector<std::vector<std::string>> m = {header};
  m[0][0] = "FINAL";
  for (const auto& [key, by_run] : finals) {
    std::vector<std::string> row = {key};
    for (std::int64_t id : ids) {
      auto it = by_run.find(id);
      row.push_back(it == by_run.end() ? kMissing : number_text(it->second));
    }
    m.push_back(row);
  }
  print_table(m);

  if (groups.empty()) return;
  const std::string level = number_text(o.bootstrap.confidence * 100) + "% CI";
  std::vector<std::vector<std::string>> g = {{"GROUP", "RUNS", "METRIC", "MEAN ± STD",
                                              "MEAN [" + level + "]", "MEDIAN [" + level + "]",
                                              "IQM [" + level + "]"}};
  for (const GroupStatistics& gs : groups) {
    const Aggregates& a = gs.aggregates;
    g.push_back({gs.label, std::to_string(gs.run_ids.size()), gs.metric,
                 number_text(a.mean.value) + " ± " + number_text(gs.std), estimate_text(a.mean),
                 estimate_text(a.median), estimate_text(a.iqm)});
  }
  std::cout << "\n";
  print_table(g);
  std::cout << "(" << level << "s: stratified bootstrap over envs, " << o.bootstrap.resamples
            << " resamples, seed " << o.bootstrap.seed << ")\n";
  if (!improvements.empty()) {
    std::vector<std::vector<std::string>> t = {{"METRIC", "P(X > Y)", "X", "Y"}};
    for (const Improvement& i : improvements) {
      t.push_back(
          {groups[i.x].metric, estimate_text(i.probability), groups[i.x].label, groups[i.y].label});
    }
    std::cout << "\nprobability of improvement (a run of X beats a run of Y on the same env):\n";
    print_table(t);
  }

  if (o.profile == 0) return;
  // Performance profiles: per metric, the fraction of each group's runs above each threshold.
  for (std::size_t first = 0; first < groups.size();) {
    std::size_t end = first;
    while (end < groups.size() && groups[end].metric == groups[first].metric) ++end;
    std::vector<std::vector<std::string>> p = {{groups[first].metric + " >"}};
    for (std::size_t i = first; i < end; ++i) p[0].push_back(groups[i].label);
    for (std::size_t k = 0; k < groups[first].profile.size(); ++k) {
      std::vector<std::string> row = {number_text(groups[first].profile[k].tau)};
      for (std::size_t i = first; i < end; ++i) {
        const ProfilePoint& pt = groups[i].profile[k];
        row.push_back(estimate_text({pt.fraction, pt.ci}));
      }
      p.push_back(std::move(row));
    }
    std::cout << "\nperformance profile (fraction of runs above each threshold):\n";
    print_table(p);
    first = end;
  }
}

struct ExportOptions {
  std::vector<std::string> runs, metrics;
  std::string format = "csv", output;
  bool aggregate = false;  // groups' aggregates instead of every point
  std::string group_by;
  BootstrapOptions bootstrap;
};

void export_command(const std::string& db, const ExportOptions& o) {
  Store store = open_store(db, false);
  std::vector<std::int64_t> ids;
  for (const std::string& w : o.runs) ids.push_back(store.resolve_run(w).id);
  const ExportFormat f = parse_export_format(o.format);
  // Computed before the output file is opened: a bad option leaves no file behind.
  std::vector<GroupStatistics> groups;
  if (o.aggregate) {
    groups = group_statistics(
        store, ids, {.group_by = o.group_by, .metrics = o.metrics, .bootstrap = o.bootstrap});
  }
  auto write = [&](std::ostream& out) {
    if (o.aggregate) {
      export_group_statistics(groups, o.bootstrap, f, out);
    } else {
      export_runs(store, ids, f, out, o.metrics);
    }
  };
  if (o.output.empty() || o.output == "-") {
    write(std::cout);
    return;
  }
  // Write-then-rename: an interrupted export never leaves a truncated file under the name.
  check_output_file(o.output, "runs export: -o (use -o - for standard output)");
  std::string tmp = o.output + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error("runs export: cannot write '" + tmp + "'");
    write(out);
    out.flush();
    if (!out) throw std::runtime_error("runs export: writing '" + tmp + "' failed");
  }
  if (std::rename(tmp.c_str(), o.output.c_str()) != 0) {
    throw std::runtime_error("runs export: cannot rename '" + tmp + "' to '" + o.output + "'");
  }
  std::cerr << "wrote " << (o.aggregate ? std::to_string(groups.size()) + " group(s) of " : "")
            << ids.size() << " run(s) to " << o.output << "\n";
}

// --bootstrap and --seed of compare and export (export: only with `needs`, its --aggregate).
void add_bootstrap_options(CLI::App* c, BootstrapOptions& b, CLI::Option* needs = nullptr) {
  CLI::Option* n =
      c->add_option("--bootstrap", b.resamples,
                    "Bootstrap resamples for the confidence intervals (more: steadier ends)")
          ->capture_default_str()
          ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  CLI::Option* s =
      c->add_option("--seed", b.seed, "Seed of the bootstrap (same seed, same intervals)")
          ->capture_default_str()
          ->check(CLI::NonNegativeNumber);
  if (needs) {
    n->needs(needs);
    s->needs(needs);
  }
}

void remove_runs(const std::string& db, const std::vector<std::string>& which, bool yes, bool force,
                 bool json) {
  Store store = open_store(db, true);
  std::vector<RunInfo> runs;
  for (const std::string& w : which) runs.push_back(store.resolve_run(w));
  if (!yes) {
    if (!::isatty(STDIN_FILENO)) {
      throw std::runtime_error("runs rm: refusing to remove runs without confirmation; pass --yes");
    }
    std::cout << "Remove " << runs.size() << " run(s) with their metrics?\n";
    for (const RunInfo& r : runs) std::cout << "  " << r.id << "  " << r.name << "\n";
    std::cout << "[y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "yes") {
      std::cout << (json ? "{\"removed\": []}" : "nothing removed") << "\n";
      return;
    }
  }
  Json removed = Json::array();
  for (const RunInfo& r : runs) {
    store.remove_run(r.id, force);
    if (!json) std::cout << "removed " << r.id << "  " << r.name << "\n";
    removed.push_back({{"id", r.id}, {"name", r.name}});
  }
  if (json) print_json({{"removed", removed}});
}

}  // namespace

void add_runs_command(CLI::App& app) {
  CLI::App* runs = app.add_subcommand("runs", "List, inspect, compare, export and tidy runs");
  runs->require_subcommand(1);
  auto db = std::make_shared<std::string>(default_db());
  auto json = std::make_shared<bool>(false);
  auto add_db = [db, json](CLI::App* c) {
    c->add_option("--db", *db,
                  "Tracker database: a file, or postgresql://user@host[:port]/dbname (default: "
                  "$REIN_DB, else rein.db)")
        ->capture_default_str();
    c->add_flag("--json", *json, "Print JSON instead of text (the shape of docs/TRACKER.md)");
  };

  auto lo = std::make_shared<ListOptions>();
  CLI::App* list = runs->add_subcommand("list", "Runs as a table, newest first");
  add_db(list);
  list->add_option("--experiment", lo->experiment, "Only runs of this experiment");
  list->add_option("--env", lo->env, "Only runs on this env id");
  list->add_option("--algo", lo->algorithm, "Only runs of this algorithm");
  list->add_option("--status", lo->status, "running, finished, failed, interrupted or crashed");
  list->add_option("--tag", lo->tag, "Only runs with this tag");
  list->add_option("--param", lo->params, "Only runs whose param KEY equals VALUE (KEY=VALUE)");
  list->add_option("--name", lo->name, "Only runs whose name contains this text");
  list->add_option("--limit", lo->limit, "At most this many runs (0: all)");
  list->add_option("--sort", lo->sort,
                   "Best first by RETURN (the final eval/mean_return) or TRAIN RETURN (the mean "
                   "of the last 100 training episodes)")
      ->check(CLI::IsMember({"return", "train-return"}));
  list->callback([db, lo, json] {
    lo->json = *json;
    list_runs(*db, *lo);
  });

  auto run = std::make_shared<std::string>();
  CLI::App* show = runs->add_subcommand("show", "Params, tags, status, final metrics, artifacts");
  add_db(show);
  show->add_option("RUN", *run, "Run id or name")->required();
  show->callback([db, run, json] { show_run(*db, *run, *json); });

  auto co = std::make_shared<CompareOptions>();
  CLI::App* compare = runs->add_subcommand(
      "compare", "Params side by side, final metrics, seeds aggregated with confidence intervals");
  add_db(compare);
  compare->add_option("RUN", co->runs, "Run ids or names")->required();
  compare->add_option("--group-by", co->group_by,
                      "Aggregate runs sharing this param (default: seeds of one config)");
  compare->add_option("--metric", co->metrics,
                      "Only this metric, e.g. eval/mean_return (repeatable; default: all)");
  add_bootstrap_options(compare, co->bootstrap);
  compare
      ->add_option("--profile", co->profile,
                   "Also print each metric's performance profile on this many thresholds")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  compare->add_flag("--improvement", co->improvement,
                    "Also print the probability that a run of one group beats a run of another "
                    "(every pair of groups)");
  compare->callback([db, co, json] {
    co->json = *json;
    compare_runs(*db, *co);
  });

  auto many = std::make_shared<std::vector<std::string>>();
  auto eo = std::make_shared<ExportOptions>();
  CLI::App* exp = runs->add_subcommand(
      "export",
      "Every metric point of runs, or with --aggregate their groups' statistics, as "
      "CSV or JSON");
  exp->add_option("--db", *db,
                  "Tracker database: a file, or postgresql://user@host[:port]/dbname (default: "
                  "$REIN_DB, else rein.db)")
      ->capture_default_str();
  exp->add_option("RUN", eo->runs, "Run ids or names")->required();
  exp->add_option("--metric", eo->metrics, "Only this metric (repeatable; default: all)");
  exp->add_option("--format", eo->format, "csv or json")->capture_default_str();
  exp->add_option("-o,--output", eo->output, "File to write (default: standard output)");
  CLI::Option* aggregate =
      exp->add_flag("--aggregate", eo->aggregate,
                    "One row per group of runs and metric: mean, std, median, IQM and their "
                    "confidence intervals, instead of every point");
  exp->add_option("--group-by", eo->group_by,
                  "With --aggregate: group runs sharing this param (default: seeds of one config)")
      ->needs(aggregate);
  add_bootstrap_options(exp, eo->bootstrap, aggregate);
  exp->callback([db, eo] { export_command(*db, *eo); });

  auto tags = std::make_shared<std::vector<std::string>>();
  auto remove = std::make_shared<bool>(false);
  CLI::App* tag = runs->add_subcommand("tag", "Add (or with --remove, drop) tags of a run");
  add_db(tag);
  tag->add_option("RUN", *run, "Run id or name")->required();
  tag->add_option("TAG", *tags, "Tags")->required();
  tag->add_flag("--remove", *remove, "Remove the tags instead");
  tag->callback([db, run, tags, remove, json] {
    Store store = open_store(*db, true);
    RunInfo r = store.resolve_run(*run);
    for (const std::string& t : *tags) {
      if (*remove) {
        store.remove_tag(r.id, t);
      } else {
        store.add_tag(r.id, t);
      }
    }
    if (*json) return print_json(run_json(store, r.id, {.params = false}));
    std::cout << r.id << "  " << r.name << "  tags: " << join(store.run(r.id)->tags, ", ") << "\n";
  });

  auto new_name = std::make_shared<std::string>();
  CLI::App* rename = runs->add_subcommand("rename", "Give a run a new name");
  add_db(rename);
  rename->add_option("RUN", *run, "Run id or name")->required();
  rename->add_option("NAME", *new_name, "New name")->required();
  rename->callback([db, run, new_name, json] {
    Store store = open_store(*db, true);
    RunInfo r = store.resolve_run(*run);
    store.rename_run(r.id, *new_name);
    if (*json) return print_json(run_json(store, r.id, {.params = false}));
    std::cout << r.id << "  " << r.name << " -> " << *new_name << "\n";
  });

  auto yes = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  CLI::App* rm = runs->add_subcommand("rm", "Remove runs with their params and metrics");
  add_db(rm);
  rm->add_option("RUN", *many, "Run ids or names")->required();
  rm->add_flag("-y,--yes", *yes, "Do not ask for confirmation");
  rm->add_flag("--force", *force, "Remove a run that is still running (its trainer then stops)");
  rm->callback([db, many, yes, force, json] { remove_runs(*db, *many, *yes, *force, *json); });

  auto dry = std::make_shared<bool>(false);
  CLI::App* gc = runs->add_subcommand(
      "gc",
      "Drop orphans: artifacts of removed runs (deleting their files from the run's "
      "checkpoint folder), artifacts whose file is missing, rows of runs that are gone");
  add_db(gc);
  gc->add_flag("--dry-run", *dry, "Only list what would be dropped");
  gc->callback([db, dry, json] {
    Store store = open_store(*db, !*dry);
    GcResult r = store.gc(*dry);
    if (*json) {
      Json out = {{"dry_run", *dry},
                  {"dropped", Json::array()},
                  {"deleted_files", r.deleted_files},
                  {"kept_files", r.kept_files},
                  {"orphan_rows", r.orphan_rows}};
      for (const Artifact& a : r.artifacts) {
        out["dropped"].push_back({{"kind", a.kind},
                                  {"path", a.path},
                                  {"reason", a.run_id ? "file missing" : "run removed"}});
      }
      return print_json(out);
    }
    for (const Artifact& a : r.artifacts) {
      std::cout << (*dry ? "would drop " : "dropped ") << a.kind << "  " << a.path
                << (a.run_id ? "  (file missing)" : "  (run removed)") << "\n";
    }
    for (const std::string& f : r.kept_files)
      std::cout << "kept file " << f << "  (not in a run's checkpoint folder beside the db)\n";
    std::cout << r.artifacts.size() << " orphaned artifact(s), " << r.deleted_files.size()
              << " file(s) " << (*dry ? "to delete" : "deleted") << ", " << r.orphan_rows
              << " orphaned row(s)\n";
  });

  auto source = std::make_shared<std::string>();
  CLI::App* sync = runs->add_subcommand(
      "sync",
      "Copy the runs of a local SQLite file into --db (e.g. a shared PostgreSQL database); "
      "runs copied before are skipped, so it can run again after more offline runs");
  add_db(sync);
  sync->add_option("SRC", *source, "The database file to copy runs from")->required();
  sync->callback([db, source, json] {
    if (*source == *db) throw std::runtime_error("runs sync: SRC and --db are the same database");
    tracker::SyncResult r = tracker::sync_runs(*source, *db, [&](const std::string& name) {
      if (!*json) std::cout << "copied " << name << "\n" << std::flush;
    });
    if (*json) {
      return print_json({{"copied", r.copied},
                         {"already_there", r.already_there},
                         {"still_running", r.still_running}});
    }
    for (const std::string& name : r.still_running)
      std::cout << "skipped " << name << "  (still running: sync again when it ends)\n";
    std::cout << r.copied.size() << " run(s) copied, " << r.already_there.size()
              << " already there, " << r.still_running.size() << " still running\n";
  });
}

}  // namespace rein::cli
