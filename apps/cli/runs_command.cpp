// rein runs list | show | compare | export | tag | rename | rm | gc: the tracker database from
// the command line. Glue only: parse flags, call rein::tracker::Store, print.
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
#include <sstream>

#include "apps/cli/commands.h"
#include "tracker/export.h"
#include "tracker/store.h"

namespace rein::cli {

namespace {

using namespace rein::tracker;

Store open_store(const std::string& db, bool write) {
  return Store(db, {.mode = write ? OpenMode::ReadWrite : OpenMode::ReadOnly});
}

std::string local_time(double t) {
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string duration_text(const RunInfo& r) {
  double end = r.end_time ? *r.end_time : r.heartbeat;
  auto secs = static_cast<long>(std::max(0.0, end - r.start_time));
  char buf[32];
  if (secs >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", secs / 3600, secs / 60 % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", secs / 60, secs % 60);
  }
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

// Prints rows as left-aligned columns separated by two spaces.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

nlohmann::json run_json(const RunInfo& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"experiment", r.experiment},
          {"algorithm", r.algorithm},
          {"env", r.env},
          {"seed", r.seed ? nlohmann::json(*r.seed) : nlohmann::json()},
          {"status", to_string(r.status)},
          {"error", r.error},
          {"start_time", r.start_time},
          {"end_time", r.end_time ? nlohmann::json(*r.end_time) : nlohmann::json()},
          {"tags", r.tags},
          {"host", r.host},
          {"command", r.command}};
}

struct ListOptions {
  std::string experiment, env, algorithm, status, tag, name;
  std::vector<std::string> params;
  std::size_t limit = 0;
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
    nlohmann::json out = nlohmann::json::array();
    for (const RunInfo& r : runs) out.push_back(run_json(r));
    // Rows an older rein stored unchecked may hold bytes that are not UTF-8: replaced, so one
    // such row cannot make the whole listing fail.
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  if (runs.empty()) {
    std::cout << "no runs in " << db << (f.limit || o.params.size() ? " matching the filters" : "")
              << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "EXPERIMENT", "ALGO", "ENV", "SEED", "STATUS", "STARTED", "TIME", "TAGS"}};
  for (const RunInfo& r : runs) {
    rows.push_back({std::to_string(r.id), r.name, r.experiment, r.algorithm, r.env,
                    r.seed ? std::to_string(*r.seed) : "-", to_string(r.status),
                    local_time(r.start_time), duration_text(r), join(r.tags, ",")});
  }
  print_table(rows);
}

void show_run(const std::string& db, const std::string& which) {
  Store store = open_store(db, false);
  RunInfo r = store.resolve_run(which);
  std::vector<std::vector<std::string>> rows = {
      {"id", std::to_string(r.id)},
      {"name", r.name},
      {"experiment", r.experiment},
      {"algorithm", r.algorithm},
      {"env", r.env},
      {"seed", r.seed ? std::to_string(*r.seed) : "-"},
      {"status", std::string(to_string(r.status)) + (r.error.empty() ? "" : ": " + r.error)},
      {"started", local_time(r.start_time)},
      {"time", duration_text(r)},
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

void compare_runs(const std::string& db, const std::vector<std::string>& which,
                  const std::string& group_by) {
  Store store = open_store(db, false);
  std::vector<RunInfo> runs;
  for (const std::string& w : which) runs.push_back(store.resolve_run(w));
  std::vector<std::int64_t> ids;
  std::vector<std::map<std::string, std::string>> params;
  std::set<std::string> keys;
  for (const RunInfo& r : runs) {
    ids.push_back(r.id);
    std::map<std::string, std::string> p = {{"algorithm", r.algorithm}, {"env", r.env},
                                            {"seed", r.seed ? std::to_string(*r.seed) : "-"}};
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
      row.push_back(it == p.end() ? "-" : it->second);
      distinct.insert(row.back());
    }
    if (distinct.size() > 1) row[0] = "* " + k;  // differs between the runs
    rows.push_back(row);
  }
  print_table(rows);

  std::map<std::string, std::map<std::int64_t, double>> finals;
  for (const LatestValue& l : store.latest(ids)) finals[l.key][l.run_id] = l.point.value;
  std::cout << "\n";
  std::vector<std::vector<std::string>> m = {header};
  m[0][0] = "FINAL";
  for (const auto& [key, by_run] : finals) {
    std::vector<std::string> row = {key};
    for (std::int64_t id : ids) row.push_back(by_run.count(id) ? number_text(by_run.at(id)) : "-");
    m.push_back(row);
  }
  print_table(m);

  // Seeds of one configuration (or runs sharing --group-by) as mean ± std.
  std::vector<std::vector<std::string>> g = {{"GROUP", "RUNS", "METRIC", "FINAL (mean ± std)"}};
  for (const auto& [key, by_run] : finals) {
    for (const GroupSeries& gs : store.group(ids, key, {.by = group_by, .max_points = 1})) {
      if (gs.run_ids.size() < 2) continue;
      g.push_back({gs.label, std::to_string(gs.run_ids.size()), key,
                   number_text(gs.final_mean) + " ± " + number_text(gs.final_std)});
    }
  }
  if (g.size() > 1) {
    std::cout << "\n";
    print_table(g);
  }
}

void export_command(const std::string& db, const std::vector<std::string>& which,
                    const std::string& format, const std::string& output) {
  Store store = open_store(db, false);
  std::vector<std::int64_t> ids;
  for (const std::string& w : which) ids.push_back(store.resolve_run(w).id);
  ExportFormat f = parse_export_format(format);
  if (output.empty() || output == "-") {
    export_runs(store, ids, f, std::cout);
    return;
  }
  // Write-then-rename: an interrupted export never leaves a truncated file under the name.
  std::string tmp = output + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error("runs export: cannot write '" + tmp + "'");
    export_runs(store, ids, f, out);
    out.flush();
    if (!out) throw std::runtime_error("runs export: writing '" + tmp + "' failed");
  }
  if (std::rename(tmp.c_str(), output.c_str()) != 0) {
    throw std::runtime_error("runs export: cannot rename '" + tmp + "' to '" + output + "'");
  }
  std::cerr << "wrote " << ids.size() << " run(s) to " << output << "\n";
}

void remove_runs(const std::string& db, const std::vector<std::string>& which, bool yes,
                 bool force) {
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
      std::cout << "nothing removed\n";
      return;
    }
  }
  for (const RunInfo& r : runs) {
    store.remove_run(r.id, force);
    std::cout << "removed " << r.id << "  " << r.name << "\n";
  }
}

}  // namespace

void add_runs_command(CLI::App& app) {
  CLI::App* runs = app.add_subcommand("runs", "List, inspect, compare, export and tidy runs");
  runs->require_subcommand(1);
  auto db = std::make_shared<std::string>("rein.db");
  auto add_db = [db](CLI::App* c) {
    c->add_option("--db", *db, "Tracker database file")->capture_default_str();
  };

  auto lo = std::make_shared<ListOptions>();
  CLI::App* list = runs->add_subcommand("list", "Runs as a table, newest first");
  add_db(list);
  list->add_option("--experiment", lo->experiment, "Only runs of this experiment");
  list->add_option("--env", lo->env, "Only runs on this env id");
  list->add_option("--algo", lo->algorithm, "Only runs of this algorithm");
  list->add_option("--status", lo->status,
                   "running, finished, failed, interrupted or crashed");
  list->add_option("--tag", lo->tag, "Only runs with this tag");
  list->add_option("--param", lo->params, "Only runs whose param KEY equals VALUE (KEY=VALUE)");
  list->add_option("--name", lo->name, "Only runs whose name contains this text");
  list->add_option("--limit", lo->limit, "At most this many runs (0: all)");
  list->add_flag("--json", lo->json, "Print JSON instead of a table");
  list->callback([db, lo] { list_runs(*db, *lo); });

  auto run = std::make_shared<std::string>();
  CLI::App* show = runs->add_subcommand("show", "Params, tags, status, final metrics, artifacts");
  add_db(show);
  show->add_option("RUN", *run, "Run id or name")->required();
  show->callback([db, run] { show_run(*db, *run); });

  auto many = std::make_shared<std::vector<std::string>>();
  auto group_by = std::make_shared<std::string>();
  CLI::App* compare = runs->add_subcommand("compare", "Params side by side and final metrics");
  add_db(compare);
  compare->add_option("RUN", *many, "Run ids or names")->required();
  compare->add_option("--group-by", *group_by,
                      "Aggregate runs sharing this param (default: seeds of one config)");
  compare->callback([db, many, group_by] { compare_runs(*db, *many, *group_by); });

  auto format = std::make_shared<std::string>("csv");
  auto output = std::make_shared<std::string>();
  CLI::App* exp = runs->add_subcommand("export", "Every metric point of runs as CSV or JSON");
  add_db(exp);
  exp->add_option("RUN", *many, "Run ids or names")->required();
  exp->add_option("--format", *format, "csv or json")->capture_default_str();
  exp->add_option("-o,--output", *output, "File to write (default: standard output)");
  exp->callback([db, many, format, output] { export_command(*db, *many, *format, *output); });

  auto tags = std::make_shared<std::vector<std::string>>();
  auto remove = std::make_shared<bool>(false);
  CLI::App* tag = runs->add_subcommand("tag", "Add (or with --remove, drop) tags of a run");
  add_db(tag);
  tag->add_option("RUN", *run, "Run id or name")->required();
  tag->add_option("TAG", *tags, "Tags")->required();
  tag->add_flag("--remove", *remove, "Remove the tags instead");
  tag->callback([db, run, tags, remove] {
    Store store = open_store(*db, true);
    RunInfo r = store.resolve_run(*run);
    for (const std::string& t : *tags) {
      if (*remove) {
        store.remove_tag(r.id, t);
      } else {
        store.add_tag(r.id, t);
      }
    }
    std::cout << r.id << "  " << r.name << "  tags: " << join(store.run(r.id)->tags, ", ") << "\n";
  });

  auto new_name = std::make_shared<std::string>();
  CLI::App* rename = runs->add_subcommand("rename", "Give a run a new name");
  add_db(rename);
  rename->add_option("RUN", *run, "Run id or name")->required();
  rename->add_option("NAME", *new_name, "New name")->required();
  rename->callback([db, run, new_name] {
    Store store = open_store(*db, true);
    RunInfo r = store.resolve_run(*run);
    store.rename_run(r.id, *new_name);
    std::cout << r.id << "  " << r.name << " -> " << *new_name << "\n";
  });

  auto yes = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  CLI::App* rm = runs->add_subcommand("rm", "Remove runs with their params and metrics");
  add_db(rm);
  rm->add_option("RUN", *many, "Run ids or names")->required();
  rm->add_flag("-y,--yes", *yes, "Do not ask for confirmation");
  rm->add_flag("--force", *force, "Remove a run that is still running (its trainer then stops)");
  rm->callback([db, many, yes, force] { remove_runs(*db, *many, *yes, *force); });

  auto dry = std::make_shared<bool>(false);
  CLI::App* gc = runs->add_subcommand(
      "gc", "Drop orphans: artifacts of removed runs (deleting their files from the run's "
            "checkpoint folder), artifacts whose file is missing, rows of runs that are gone");
  add_db(gc);
  gc->add_flag("--dry-run", *dry, "Only list what would be dropped");
  gc->callback([db, dry] {
    Store store = open_store(*db, !*dry);
    GcResult r = store.gc(*dry);
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
}

}  // namespace rein::cli
