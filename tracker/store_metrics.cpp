// Store's metric queries: downsampled series (from chunk summaries where they exist), latest
// values, seed groups with mean and std, and the watch cursor for live refresh.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tracker/internal/chunks.h"
#include "tracker/internal/rows.h"
#include "tracker/internal/store_impl.h"
#include "tracker/store.h"

namespace rein::tracker {

using internal::Stmt;

namespace {

constexpr std::int64_t kMinStep = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxStep = std::numeric_limits<std::int64_t>::max();

// A run of points summarised by its extremes: one raw point (min == max) or one chunk.
struct Item {
  std::int64_t first_step;
  MetricPoint min;
  MetricPoint max;
};

// Smaller value first; NaN never wins over a number.
bool less_value(double a, double b) { return std::isnan(b) ? !std::isnan(a) : a < b; }
bool greater_value(double a, double b) { return std::isnan(b) ? !std::isnan(a) : a > b; }

// Min/max downsampling: split the step range into max_points/2 equal buckets and keep, per
// bucket, the lowest and the highest point, in step order. Extremes survive at any zoom.
std::vector<MetricPoint> reduce(const std::vector<Item>& items, std::size_t max_points) {
  std::vector<MetricPoint> out;
  if (items.empty()) return out;
  std::size_t buckets = std::max<std::size_t>(1, max_points / 2);
  long double lo = static_cast<long double>(items.front().first_step);
  long double span = static_cast<long double>(items.back().max.step > items.back().min.step
                                                  ? items.back().max.step
                                                  : items.back().min.step) -
                     lo + 1;
  if (span < 1) span = 1;
  std::size_t current = std::numeric_limits<std::size_t>::max();
  MetricPoint bmin{}, bmax{};
  auto emit = [&] {
    if (current == std::numeric_limits<std::size_t>::max()) return;
    const MetricPoint& a = bmin.step <= bmax.step ? bmin : bmax;
    const MetricPoint& b = bmin.step <= bmax.step ? bmax : bmin;
    out.push_back(a);
    bool same = a.step == b.step && a.wall_time == b.wall_time &&
                (a.value == b.value || (std::isnan(a.value) && std::isnan(b.value)));
    if (!same) out.push_back(b);
  };
  for (const Item& it : items) {
    long double pos = (static_cast<long double>(it.first_step) - lo) / span;
    auto bucket = std::min(buckets - 1, static_cast<std::size_t>(std::max(0.0L, pos) * buckets));
    if (bucket != current) {
      emit();
      current = bucket;
      bmin = it.min;
      bmax = it.max;
      continue;
    }
    if (less_value(it.min.value, bmin.value)) bmin = it.min;
    if (greater_value(it.max.value, bmax.value)) bmax = it.max;
  }
  emit();
  return out;
}

struct SeriesRow {
  std::int64_t count = 0;
  std::int64_t first_step = 0;
  std::int64_t last_step = 0;
  MetricPoint last;
  bool monotonic = true;
};

std::optional<SeriesRow> series_row(internal::Db& db, std::int64_t run_id, std::int64_t key_id) {
  Stmt s(db,
         "SELECT count, first_step, last_step, last_wall_time, last_value, monotonic "
         "FROM metric_series WHERE run_id = ? AND key_id = ?");
  s.bind(1, run_id).bind(2, key_id);
  if (!s.step()) return std::nullopt;
  SeriesRow r;
  r.count = s.int64(0);
  r.first_step = s.int64(1);
  r.last_step = s.int64(2);
  r.last = MetricPoint{s.int64(2), s.real(3), s.real(4)};
  r.monotonic = s.int64(5) != 0;
  return r;
}

// Raw points with lo <= step <= hi, appended as items.
void read_raw(internal::Db& db, std::int64_t run_id, std::int64_t key_id, std::int64_t lo,
              std::int64_t hi, std::vector<Item>& items) {
  if (hi < lo) return;
  Stmt s(db,
         "SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key_id = ? "
         "AND step >= ? AND step <= ? ORDER BY step");
  s.bind(1, run_id).bind(2, key_id).bind(3, lo).bind(4, hi);
  while (s.step()) {
    MetricPoint p{s.int64(0), s.real(1), s.real(2)};
    items.push_back({p.step, p, p});
  }
}

std::vector<Item> read_chunks(internal::Db& db, std::int64_t run_id, std::int64_t key_id,
                              std::int64_t lo, std::int64_t hi, std::int64_t* last_step) {
  Stmt s(db,
         "SELECT first_step, last_step, min_step, min_wall_time, min_value, max_step, "
         "max_wall_time, max_value FROM metric_chunks WHERE run_id = ? AND key_id = ? "
         "AND first_step >= ? AND last_step <= ? ORDER BY seq");
  s.bind(1, run_id).bind(2, key_id).bind(3, lo).bind(4, hi);
  std::vector<Item> items;
  while (s.step()) {
    items.push_back({s.int64(0), MetricPoint{s.int64(2), s.real(3), s.real(4)},
                     MetricPoint{s.int64(5), s.real(6), s.real(7)}});
    *last_step = s.int64(1);
  }
  return items;
}

}  // namespace

std::vector<std::string> Store::metric_keys(std::int64_t run_id) {
  Stmt s(impl_->db,
         "SELECT k.name FROM metric_series s JOIN metric_keys k ON k.id = s.key_id "
         "WHERE s.run_id = ? ORDER BY k.name");
  s.bind(1, run_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::vector<Series> Store::series(const std::vector<std::int64_t>& run_ids, const std::string& key,
                                  const SeriesOptions& options) {
  std::vector<Series> out;
  std::optional<std::int64_t> key_id = impl_->key_id(key);
  if (!key_id) return out;
  internal::Db& db = impl_->db;
  std::int64_t lo = options.min_step.value_or(kMinStep);
  std::int64_t hi = options.max_step.value_or(kMaxStep);
  std::size_t buckets = std::max<std::size_t>(1, options.max_points / 2);
  for (std::int64_t run_id : run_ids) {
    std::optional<SeriesRow> row = series_row(db, run_id, *key_id);
    if (!row) continue;
    Series s;
    s.run_id = run_id;
    s.key = key;
    s.total_points = row->count;
    std::vector<Item> items;
    bool want_all =
        options.max_points == 0 || static_cast<std::size_t>(row->count) <= options.max_points;
    std::vector<Item> chunks;
    std::int64_t chunks_last = 0;
    if (!want_all && row->monotonic) {
      chunks = read_chunks(db, run_id, *key_id, lo, hi, &chunks_last);
    }
    if (!chunks.empty() && chunks.size() >= buckets) {
      // Raw points before the first and after the last whole chunk inside the range, then the
      // chunks' extremes in between. Steps are non-decreasing (monotonic), so these are disjoint.
      read_raw(db, run_id, *key_id, lo, chunks.front().first_step - 1, items);
      items.insert(items.end(), chunks.begin(), chunks.end());
      if (chunks_last < kMaxStep) read_raw(db, run_id, *key_id, chunks_last + 1, hi, items);
    } else {
      read_raw(db, run_id, *key_id, lo, hi, items);
    }
    if (!row->monotonic) {
      std::stable_sort(items.begin(), items.end(),
                       [](const Item& a, const Item& b) { return a.first_step < b.first_step; });
    }
    bool used_chunks = !chunks.empty() && chunks.size() >= buckets;
    bool raw_only = options.max_points == 0 || (!used_chunks && items.size() <= options.max_points);
    if (raw_only) {
      s.points.reserve(items.size());
      for (const Item& it : items) s.points.push_back(it.min);
    } else {
      s.points = reduce(items, options.max_points);
      s.downsampled = true;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<LatestValue> Store::latest(const std::vector<std::int64_t>& run_ids,
                                       const std::vector<std::string>& keys) {
  Stmt s(impl_->db,
         "SELECT k.name, s.last_step, s.last_wall_time, s.last_value, s.count "
         "FROM metric_series s JOIN metric_keys k ON k.id = s.key_id WHERE s.run_id = ? "
         "ORDER BY k.name");
  std::vector<LatestValue> out;
  for (std::int64_t run_id : run_ids) {
    s.bind(1, run_id);
    while (s.step()) {
      std::string name = s.text(0);
      if (!keys.empty() && std::find(keys.begin(), keys.end(), name) == keys.end()) continue;
      out.push_back({run_id, name, MetricPoint{s.int64(1), s.real(2), s.real(3)}, s.int64(4)});
    }
    s.reset();
  }
  return out;
}

WatchCursor Store::watch_cursor() {
  WatchCursor c;
  c.metric_seq = impl_->db.scalar("SELECT coalesce(max(rowid), 0) FROM metrics");
  c.run_id = impl_->db.scalar("SELECT coalesce(max(id), 0) FROM runs");
  return c;
}

WatchUpdate Store::watch(const WatchCursor& cursor, const std::vector<std::int64_t>& run_ids,
                         std::size_t max_points) {
  std::string sql =
      "SELECT m.rowid, m.run_id, k.name, m.step, m.wall_time, m.value FROM metrics m "
      "JOIN metric_keys k ON k.id = m.key_id WHERE m.rowid > ?";
  if (!run_ids.empty()) {
    sql += " AND m.run_id IN (";
    for (std::size_t i = 0; i < run_ids.size(); ++i) sql += i ? ", ?" : "?";
    sql += ")";
  }
  sql += " ORDER BY m.rowid LIMIT ?";
  internal::ReadSnapshot snapshot(impl_->db);  // one read snapshot for the queries below
  WatchUpdate up;
  up.cursor = cursor;
  {
    Stmt s(impl_->db, sql);
    int i = 1;
    s.bind(i++, cursor.metric_seq);
    for (std::int64_t id : run_ids) s.bind(i++, id);
    s.bind(i++, static_cast<std::int64_t>(std::min<std::size_t>(max_points, kMaxStep)));
    while (s.step()) {
      up.cursor.metric_seq = s.int64(0);
      up.points.push_back({s.int64(1), s.text(2), MetricPoint{s.int64(3), s.real(4), s.real(5)}});
    }
    if (up.points.size() < max_points) {
      // Nothing was cut off: the cursor may skip to the end (rows of other runs included).
      up.cursor.metric_seq = std::max(
          up.cursor.metric_seq, impl_->db.scalar("SELECT coalesce(max(rowid), 0) FROM metrics"));
    }
    Stmt r(impl_->db, "SELECT id FROM runs WHERE id > ? ORDER BY id");
    r.bind(1, cursor.run_id);
    while (r.step()) {
      up.new_runs.push_back(r.int64(0));
      up.cursor.run_id = r.int64(0);
    }
  }
  snapshot.end();
  return up;
}

}  // namespace rein::tracker
