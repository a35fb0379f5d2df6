// run_seeds(): a pool of `rein train` children, the tracker as the progress channel.
#include "apps/cli/train_seeds.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "apps/cli/child_processes.h"
#include "apps/cli/live_block.h"
#include "apps/cli/progress.h"
#include "apps/cli/text_table.h"
#include "base/error.h"
#include "rl/metric_names.h"
#include "session/train.h"
#include "tracker/names.h"
#include "tracker/run_facts.h"
#include "tracker/store.h"

namespace rein::cli {
namespace {

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// What the tracker says about the group's runs, by seed.
struct SeedRun {
  tracker::RunInfo info;
  int64_t step = 0;
  double sps = 0;
  int64_t total = 0;
  std::optional<double> train_return;
  std::optional<double> eval_return;
};

std::map<int64_t, SeedRun> read_group(tracker::Store& store, const std::string& group) {
  std::map<int64_t, SeedRun> out;
  std::vector<int64_t> ids;
  std::map<int64_t, int64_t> seed_of;
  for (tracker::RunInfo& run : store.list_runs({.tag = "group:" + group})) {
    if (!run.seed) continue;
    ids.push_back(run.id);
    seed_of[run.id] = *run.seed;
    SeedRun& s = out[*run.seed];
    for (const tracker::Param& p : store.params(run.id))
      if (p.key == "total_timesteps" && std::holds_alternative<int64_t>(p.value))
        s.total = std::get<int64_t>(p.value);
    s.info = std::move(run);
  }
  for (const tracker::LatestValue& l : store.latest(ids, {rl::metric::kStepsPerSecond})) {
    out[seed_of[l.run_id]].step = l.point.step;
    out[seed_of[l.run_id]].sps = l.point.value;
  }
  for (const auto& m : store.summaries(ids, tracker::kTrainReturnKey))
    if (m.recent_count > 0) out[seed_of[m.run_id]].train_return = m.recent_mean;
  for (const auto& m : store.summaries(ids, tracker::kEvalReturnKey, 0))
    out[seed_of[m.run_id]].eval_return = m.last.value;
  return out;
}

}  // namespace

std::vector<int64_t> parse_seed_list(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Error(str("--seeds '", text, "': ", why,
                     "; expected seeds and ranges like 1-10, 1,3,5 or 0-4,10"));
  };
  std::vector<int64_t> seeds;
  std::set<int64_t> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string_view part(text.data() + start, comma - start);
    const size_t dash = part.find('-', 1);
    const auto first = parse_int(part.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_int(part.substr(dash + 1));
    if (!first || !last || *first < 0) throw bad(str("'", part, "' is not a seed or a range"));
    if (*last < *first) throw bad(str("the range '", part, "' runs backwards"));
    if (*last - *first >= 10000) throw bad(str("the range '", part, "' has over 10,000 seeds"));
    for (int64_t s = *first; s <= *last; ++s) {
      if (!seen.insert(s).second) throw bad(str("seed ", s, " is listed twice"));
      seeds.push_back(s);
    }
    start = comma + 1;
  }
  return seeds;
}

std::vector<std::string> seed_child_arguments() {
  static const std::set<std::string> with_value = {"--seeds", "--jobs", "--seed", "--group",
                                                   "--name"};
  std::vector<std::string> args = session::process_arguments();
  std::vector<std::string> out;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--no-progress") continue;
    if (with_value.count(a)) {
      ++i;  // and its value
      continue;
    }
    const size_t eq = a.find('=');
    if (eq != std::string::npos && with_value.count(a.substr(0, eq))) continue;
    out.push_back(a);
  }
  return out;
}

void run_seeds(const SeedsJob& job, const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::deque<int64_t> waiting(job.seeds.begin(), job.seeds.end());
  std::map<int64_t, ChildProcesses::Finished> ended;  // by seed
  std::vector<int64_t> not_started;
  ChildProcesses children;
  // One live block on stderr: the group's summary, then a line per running seed.
  LiveBlock progress(stderr, job.progress);
  std::optional<tracker::Store> store;
  auto last_draw = start;
  bool interrupted = false, failed = false;
  std::fprintf(stderr, "group %s: %zu seeds, %lld at a time (db %s)\n", job.group.c_str(),
               job.seeds.size(), static_cast<long long>(job.jobs), job.db.c_str());

  while (!waiting.empty() || children.running() > 0) {
    if (stop && !interrupted) {
      interrupted = true;
      children.interrupt();
    }
    if (interrupted || failed) {
      not_started.insert(not_started.end(), waiting.begin(), waiting.end());
      waiting.clear();
    }
    while (!waiting.empty() && children.running() < static_cast<size_t>(job.jobs)) {
      const int64_t seed = waiting.front();
      waiting.pop_front();
      std::vector<std::string> args = job.child_args;
      args.insert(args.end(),
                  {"--seed", std::to_string(seed), "--tag", "group:" + job.group, "--no-progress"});
      if (!job.name.empty()) args.insert(args.end(), {"--name", str(job.name, "-s", seed)});
      children.start(seed, args);
    }
    for (ChildProcesses::Finished& f : children.wait(250)) {
      if (f.status != 0 && !stop) failed = true;  // start no more: they would fail alike
      progress.event(str("seed ", f.id,
                         f.status == 0 ? " ended" : str(" failed (exit ", f.status, ")"), " (",
                         ended.size() + 1, " of ", job.seeds.size(), ")"));
      ended[f.id] = std::move(f);
    }
    if (!progress.due() || Clock::now() - last_draw < std::chrono::milliseconds(500)) continue;
    last_draw = Clock::now();
    try {
      if (!store && tracker::database_exists(job.db))
        store.emplace(job.db, tracker::StoreOptions{.mode = tracker::OpenMode::ReadOnly});
      if (!store) continue;
      int64_t step = 0, total = 0, returns = 0;
      double return_sum = 0, sps = 0;
      std::vector<std::string> running;
      for (const auto& [seed, run] : read_group(*store, job.group)) {
        step += run.step;
        total = std::max(total, run.total);
        if (run.train_return) {
          return_sum += *run.train_return;
          ++returns;
        }
        if (run.info.status != tracker::RunStatus::Running) continue;
        sps += run.sps;
        const double frac =
            run.total > 0 ? static_cast<double>(run.step) / static_cast<double>(run.total) : 0;
        running.push_back(str("  seed ", seed, "  ", progress_bar(frac, 16), " ",
                              format_count(run.step), "/", format_count(run.total), " steps  ",
                              format_count(std::llround(run.sps)), " steps/s  return ",
                              run.train_return ? format_fixed(*run.train_return, 1) : "-", "  (",
                              run.info.name, ")"));
      }
      if (total == 0) continue;
      total *= static_cast<int64_t>(job.seeds.size());
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const double eta = sps > 0 ? static_cast<double>(total - step) / sps : NAN;
      std::vector<std::string> lines = {str(
          "seeds ", ended.size(), " done, ", children.running(), " running, ", waiting.size(),
          " waiting  ", progress_bar(static_cast<double>(step) / static_cast<double>(total), 16),
          " ", format_count(step), "/", format_count(total), " steps  ",
          format_count(std::llround(sps)), " steps/s  return ",
          returns ? format_fixed(return_sum / static_cast<double>(returns), 1) : "-", "  elapsed ",
          tracker::format_duration(elapsed), "  ETA ", tracker::format_duration(eta))};
      lines.insert(lines.end(), running.begin(), running.end());
      progress.update(lines);
    } catch (const std::exception&) {
      // The display is a courtesy: a database being created or busy is read next time.
    }
  }
  progress.finish();

  // The summary, from the tracker: what every seed's run recorded.
  std::map<int64_t, SeedRun> runs;
  if (tracker::database_exists(job.db)) {
    tracker::Store final_store(job.db, {.mode = tracker::OpenMode::ReadOnly});
    runs = read_group(final_store, job.group);
  }
  std::vector<std::vector<std::string>> rows = {
      {"SEED", "RUN", "STATUS", "STEPS", "EVAL RETURN", "TRAIN RETURN", "TIME"}};
  std::vector<double> evals;
  size_t failures = 0;
  const double now = tracker::now_seconds();
  for (int64_t seed : job.seeds) {
    auto it = runs.find(seed);
    auto end = ended.find(seed);
    const bool exit_failed = end != ended.end() && end->second.status != 0;
    failures += exit_failed;
    if (it == runs.end()) {
      const std::string state = end == ended.end() ? "not started"
                                : exit_failed      ? str("failed (exit ", end->second.status, ")")
                                                   : "no run";
      rows.push_back(
          {std::to_string(seed), kMissing, state, kMissing, kMissing, kMissing, kMissing});
      continue;
    }
    const SeedRun& r = it->second;
    if (r.info.status == tracker::RunStatus::Finished && r.eval_return)
      evals.push_back(*r.eval_return);
    rows.push_back({std::to_string(seed), r.info.name, tracker::to_string(r.info.status),
                    format_count(r.step), r.eval_return ? format_fixed(*r.eval_return) : kMissing,
                    r.train_return ? format_fixed(*r.train_return) : kMissing,
                    tracker::format_duration(tracker::run_duration_seconds(r.info, now))});
  }
  for (const auto& [seed, f] : ended) {
    if (f.status == 0) continue;
    std::fprintf(stderr, "seed %lld failed (exit %d); its last output:\n%s",
                 static_cast<long long>(seed), f.status, f.output.c_str());
  }
  print_table(rows, terminal_columns());
  const tracker::MeanStd m = tracker::mean_std(evals);
  if (m.count > 0)
    std::printf("eval/mean_return over %zu of %zu seeds: %s +- %s (mean +- std)\n", m.count,
                job.seeds.size(), format_fixed(m.mean).c_str(), format_fixed(m.std).c_str());
  std::printf("see: rein runs list --tag group:%s --db %s\n", job.group.c_str(), job.db.c_str());
  if (interrupted)
    std::printf("interrupted: resume a seed with rein train --resume RUN --db %s\n",
                job.db.c_str());
  if (failures > 0)
    throw Error(str(failures, " of ", job.seeds.size(), " seeds failed (their output is above)"));
}

}  // namespace rein::cli
