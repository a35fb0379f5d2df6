// Loading runs and series from the tracker, and live updates through its watch cursor.
#include "apps/dashboard/run_source.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

namespace rein::dashboard {

RunRow make_row(const tracker::RunInfo& info, const std::vector<tracker::Param>& params,
                const std::vector<tracker::LatestValue>& latest, double now) {
  RunRow row;
  row.id = info.id;
  row.name = info.name;
  row.experiment = info.experiment;
  row.env = info.env;
  row.algorithm = info.algorithm;
  row.seed = info.seed;
  row.status = info.status;
  row.error = info.error;
  row.start_time = info.start_time;
  row.duration = tracker::run_duration_seconds(info, now);
  for (const std::string& t : info.tags) {
    if (!row.tags.empty()) row.tags += ", ";
    row.tags += t;
  }
  for (const tracker::Param& p : params) {
    row.params.emplace_back(p.key, tracker::format_param_value(p.value));
  }
  std::sort(row.params.begin(), row.params.end());
  row.eval_return = std::nan("");
  row.train_return = std::nan("");
  for (const tracker::LatestValue& l : latest) {
    if (l.run_id == info.id) row.steps = std::max(row.steps, l.point.step);
  }
  return row;
}

RunSource::RunSource(const std::string& db_path, std::size_t max_points)
    : path_(db_path), max_points_(max_points) {
  tracker::StoreOptions options;
  options.mode = tracker::OpenMode::ReadOnly;
  store_ = std::make_unique<tracker::Store>(db_path, options);
  // The cursor is taken before anything is read, so no point falls between a load and a poll
  // (a point seen twice is dropped by the step check in poll()).
  cursor_ = store_->watch_cursor();
}

void RunSource::refresh_rows() {
  const std::vector<tracker::RunInfo> runs = store_->list_runs();
  std::vector<std::int64_t> ids;
  ids.reserve(runs.size());
  for (const auto& r : runs) ids.push_back(r.id);
  const std::vector<tracker::LatestValue> latest = store_->latest(ids);
  // Runs whose return series grew since their returns were read (or never read).
  std::map<std::int64_t, std::int64_t> points;
  for (const tracker::LatestValue& l : latest) {
    if (l.key == tracker::kEvalReturnKey || l.key == tracker::kTrainReturnKey) {
      points[l.run_id] += l.count;
    }
  }
  std::map<std::int64_t, Returns> returns;
  std::vector<std::int64_t> stale;
  for (std::int64_t id : ids) {
    const auto it = returns_.find(id);
    const std::int64_t n = points.count(id) ? points[id] : 0;
    if (it != returns_.end() && it->second.points == n) {
      returns[id] = it->second;
    } else {
      returns[id] = {n, std::nan(""), std::nan("")};
      if (n > 0) stale.push_back(id);
    }
  }
  for (const auto& s : store_->summaries(stale, tracker::kEvalReturnKey, 0)) {
    returns[s.run_id].eval = s.last.value;
  }
  for (const auto& s :
       store_->summaries(stale, tracker::kTrainReturnKey, tracker::kRecentEpisodes)) {
    returns[s.run_id].train = s.recent_mean;
  }
  returns_ = std::move(returns);  // removed runs are forgotten
  std::vector<RunRow> rows;
  rows.reserve(runs.size());
  std::time_t now = std::time(nullptr);
  for (const auto& r : runs) {
    rows.push_back(make_row(r, store_->params(r.id), latest, static_cast<double>(now)));
    rows.back().eval_return = returns_[r.id].eval;
    rows.back().train_return = returns_[r.id].train;
  }
  rows_ = std::move(rows);
  rows_loaded_at_ = static_cast<double>(now);
}

std::vector<std::string> RunSource::metric_keys(const std::vector<std::int64_t>& run_ids) {
  std::set<std::string> keys;
  for (std::int64_t id : run_ids) {
    for (std::string& k : store_->metric_keys(id)) keys.insert(std::move(k));
  }
  return {keys.begin(), keys.end()};
}

void RunSource::load(const std::vector<std::int64_t>& run_ids, const std::string& key) {
  std::vector<std::int64_t> need;
  for (std::int64_t id : run_ids) {
    const auto k = std::make_pair(id, key);
    if (!cache_.count(k) && !missing_.count(k)) need.push_back(id);
  }
  if (need.empty()) return;
  // The tracker reads every point of a series whose chunk summaries (one per 256 points) are
  // fewer than max_points / 2: ~250 ns a point, 2.5 s for 100 runs of 100k. Those series come
  // first from their summaries alone, at the resolution the summaries give.
  constexpr std::int64_t kChunk = 256;
  std::vector<std::int64_t> full;
  std::map<std::size_t, std::vector<std::int64_t>> quick;  // by the max_points they load with
  if (progressive_) {
    std::map<std::int64_t, std::int64_t> counts;
    for (const tracker::LatestValue& l : store_->latest(need, {key})) counts[l.run_id] = l.count;
    for (std::int64_t id : need) {
      const std::int64_t n = counts.count(id) ? counts[id] : 0;
      const std::size_t summary_points = static_cast<std::size_t>(2 * (n / kChunk));
      if (n > kQuickLoadPoints && summary_points < max_points_) {
        quick[summary_points].push_back(id);
      } else {
        full.push_back(id);
      }
    }
  } else {
    full = need;
  }
  auto fetch = [&](const std::vector<std::int64_t>& ids, std::size_t max_points, bool coarse) {
    tracker::SeriesOptions options;
    options.max_points = max_points;
    for (tracker::Series& s : store_->series(ids, key, options)) {
      SeriesEntry e;
      e.generation = next_generation_++;
      e.total_points = s.total_points;
      e.coarse = coarse;
      e.data.step.reserve(s.points.size());
      e.data.wall.reserve(s.points.size());
      e.data.value.reserve(s.points.size());
      for (const tracker::MetricPoint& p : s.points) {
        e.data.append(static_cast<double>(p.step), p.wall_time, p.value);
      }
      cache_[{s.run_id, key}] = std::move(e);
    }
  };
  if (!full.empty()) fetch(full, max_points_, false);
  for (const auto& [points, ids] : quick) fetch(ids, points, true);
  for (std::int64_t id : need) {
    // A run without the key may log it later: poll() forgets the miss when points arrive.
    if (!cache_.count({id, key})) missing_[{id, key}] = true;
  }
}

bool RunSource::refining() const {
  for (const auto& [k, e] : cache_) {
    if (e.coarse) return true;
  }
  return false;
}

bool RunSource::refine(double budget_s) {
  const auto start = std::chrono::steady_clock::now();
  bool changed = false;
  const bool was = progressive_;
  progressive_ = false;
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (!it->second.coarse) {
      ++it;
      continue;
    }
    const auto k = it->first;
    it = cache_.erase(it);
    load({k.first}, k.second);
    it = cache_.upper_bound(k);  // the reload may have re-inserted k; continue after it
    changed = true;
    const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
    if (spent.count() >= budget_s) break;
  }
  progressive_ = was;
  return changed;
}

const SeriesEntry* RunSource::series(std::int64_t run_id, const std::string& key) const {
  const auto it = cache_.find({run_id, key});
  return it == cache_.end() ? nullptr : &it->second;
}

bool RunSource::poll(double now, double rows_every_s) {
  bool changed = false;
  std::set<std::pair<std::int64_t, std::string>> reload;
  for (;;) {
    tracker::WatchUpdate u = store_->watch(cursor_, {}, 100000);
    cursor_ = u.cursor;
    if (!u.new_runs.empty()) rows_loaded_at_ = 0.0;  // force a row refresh below
    for (const auto& p : u.points) {
      const auto k = std::make_pair(p.run_id, p.key);
      missing_.erase(k);
      const auto it = cache_.find(k);
      if (it == cache_.end()) continue;  // not shown: loaded in full when first needed
      SeriesEntry& e = it->second;
      // Points older than the series' end, or the very point a load already returned (the load
      // may race the cursor), are not appended again.
      if (!e.data.step.empty()) {
        const double last_step = e.data.step.back();
        const double step = static_cast<double>(p.point.step);
        if (step < last_step) continue;
        if (step == last_step && p.point.wall_time == e.data.wall.back() &&
            static_cast<float>(p.point.value) == e.data.value.back()) {
          continue;
        }
      }
      e.data.append(static_cast<double>(p.point.step), p.point.wall_time, p.point.value);
      ++e.total_points;
      // Live points are kept raw; once they outnumber a fresh load by far, reload downsampled so
      // memory stays bounded for runs that train for hours with the dashboard open.
      if (++e.appended > 4 * max_points_) reload.insert(k);
      changed = true;
    }
    if (u.points.size() < 100000) break;
  }
  for (const auto& k : reload) {
    cache_.erase(k);
    load({k.first}, k.second);
  }
  // Rows change without new points when a running run is read as crashed or ends, so they are
  // re-read every rows_every_s while a run is running; with none running only renames, tags and
  // removals remain (rein runs ...), checked 8x less often: re-reading 1,000 rows costs ~40 ms,
  // too much for an idle window every 2 s.
  const bool any_running = std::any_of(rows_.begin(), rows_.end(), [](const RunRow& r) {
    return r.status == tracker::RunStatus::Running;
  });
  const double every = any_running ? rows_every_s : 8.0 * rows_every_s;
  if (changed || now - rows_loaded_at_ >= every) {
    const std::vector<RunRow> before = rows_;
    refresh_rows();
    changed = changed || before.size() != rows_.size();
    for (std::size_t i = 0; !changed && i < rows_.size(); ++i) {
      changed = rows_[i].status != before[i].status || rows_[i].steps != before[i].steps;
    }
  }
  return changed;
}

}  // namespace rein::dashboard
