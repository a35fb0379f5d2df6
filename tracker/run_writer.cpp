// RunWriter: a mutex-guarded in-memory buffer filled by log() and drained by a background
// thread that writes each batch in one BEGIN IMMEDIATE transaction, together with the chunk
// summaries, the per-series latest values and the heartbeat.
#include "tracker/run_writer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tracker/internal/chunks.h"
#include "tracker/internal/reopen.h"
#include "tracker/internal/rows.h"
#include "tracker/internal/schema.h"
#include "tracker/names.h"

namespace rein::tracker {

using internal::Stmt;

namespace {

struct PendingPoint {
  std::uint32_t key;
  std::int64_t step;
  double wall_time;
  double value;
};

struct PendingArtifact {
  std::string kind;
  std::string path;
  std::optional<std::int64_t> step;
};

// Everything log_param/add_tag/... buffered besides points.
struct Meta {
  std::vector<Param> params;
  std::vector<std::string> tags;
  std::vector<PendingArtifact> artifacts;
  std::optional<std::string> summary;
  bool empty() const { return params.empty() && tags.empty() && artifacts.empty() && !summary; }
  void append(Meta&& other) {
    for (auto& p : other.params) params.push_back(std::move(p));
    for (auto& t : other.tags) tags.push_back(std::move(t));
    for (auto& a : other.artifacts) artifacts.push_back(std::move(a));
    if (other.summary) summary = std::move(other.summary);
    other = Meta{};
  }
};

// What the writer thread knows about one series; copied before each transaction so a rolled
// back batch leaves it as it was.
struct KeyState {
  std::int64_t db_id = -1;  // -1: not interned yet
  std::int64_t count = 0;
  std::int64_t first_step = 0;
  std::int64_t last_step = 0;
  double last_wall = 0;
  double last_value = 0;
  bool monotonic = true;
  bool dirty = false;
  std::int64_t chunk_seq = 0;
  std::int64_t chunk_count = 0;
  std::int64_t chunk_first = 0;
  PendingPoint chunk_min{};
  PendingPoint chunk_max{};
  bool chunk_has_value = false;  // a non-NaN value is in chunk_min/chunk_max
};

// Folds `p` into the unfinished chunk of `k`; true when the chunk is now whole.
bool add_to_chunk(KeyState& k, const PendingPoint& p) {
  if (k.chunk_count == 0) {
    k.chunk_first = p.step;
    k.chunk_min = k.chunk_max = p;
    k.chunk_has_value = false;
  }
  if (!std::isnan(p.value)) {
    if (!k.chunk_has_value || p.value < k.chunk_min.value) k.chunk_min = p;
    if (!k.chunk_has_value || p.value > k.chunk_max.value) k.chunk_max = p;
    k.chunk_has_value = true;
  }
  return ++k.chunk_count == internal::kChunkPoints;
}

struct FinalState {
  RunStatus status;
  std::string error;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Batches above this size are split over several transactions, so another process waiting for
// the write lock waits for at most one slice.
constexpr std::size_t kSlicePoints = 16384;

// A batch that timed out waiting for the write lock (busy_timeout) is retried this many times
// before flush()/finish() report it: with many writers SQLite's busy handler is not fair, and
// one writer can lose the race for longer than one timeout.
constexpr int kBusyAttempts = 5;

// Runs `f` again after a BusyError, kBusyAttempts times in all: opening the database and creating
// or reopening the run wait for the write lock like a batch does (eight trainers starting at once
// on a slow machine starved one of them past a single timeout).
template <class F>
auto retry_busy(F&& f) {
  for (int attempt = 1;; ++attempt) {
    try {
      return f();
    } catch (const internal::BusyError&) {
      if (attempt == kBusyAttempts) throw;
    }
  }
}

}  // namespace

struct RunWriter::Impl {
  WriterOptions options;
  internal::Db db;  // owned by the writer thread once it started
  std::int64_t run_id = 0;
  std::string run_name;

  std::mutex mu;
  std::condition_variable wake;        // -> writer thread
  std::condition_variable committed;   // -> flush() waiters
  std::vector<PendingPoint> pending;   // guarded by mu
  Meta pending_meta;                   // guarded by mu
  std::vector<std::string> key_names;  // guarded by mu; MetricKey::index -> name
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> key_index;
  std::uint64_t enqueued = 0;       // operations buffered so far (guarded by mu)
  std::uint64_t committed_ops = 0;  // operations committed so far (guarded by mu)
  std::uint64_t failures = 0;       // failed batch attempts (guarded by mu)
  std::string last_error;           // of the latest failed attempt (guarded by mu)
  std::string first_error;          // of the first failed attempt (guarded by mu)
  std::atomic<bool> failed{false};  // a batch failed at least once (check() reads it)
  bool flush_requested = false;
  bool stop = false;
  bool finished = false;
  std::optional<FinalState> final_state;
  std::atomic<std::uint64_t> logged_points{0};
  std::atomic<std::uint64_t> committed_points{0};
  std::uint64_t dropped_points = 0;
  std::thread thread;

  // Writer thread only.
  std::vector<PendingPoint> batch;
  std::size_t batch_done = 0;
  Meta batch_meta;
  std::vector<std::string> names_snapshot;
  std::vector<KeyState> keys;
  double last_heartbeat = 0;

  void loop();
  void write_pending(const std::optional<FinalState>& final_state);
  void write_slice(std::size_t end, bool with_meta, const std::optional<FinalState>& fin);
  void add_point(internal::BulkInsert& insert_metric, internal::BulkInsert& insert_chunk,
                 const PendingPoint& p);
  void adopt(internal::ReopenedRun&& reopened);
  // After an UPDATE of this run's row: throws when it touched no row (the run was removed).
  void require_run(std::int64_t changed) {
    if (changed == 0)
      throw Error("run " + std::to_string(run_id) + " ('" + run_name +
                  "') is no longer in the database (removed with rein runs rm --force?)");
  }
  void start();
  void push(const PendingPoint& p) {
    pending.push_back(p);
    ++enqueued;
    if (pending.size() == options.wake_batch) wake.notify_one();
  }
};

RunWriter::RunWriter(const std::string& db_path, const RunSpec& spec, WriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->db = retry_busy([&] {
    return internal::open_database(db_path, OpenMode::ReadWrite, options.busy_timeout_ms).db;
  });
  auto [id, name] = retry_busy([&] { return internal::insert_run(impl_->db, spec); });
  impl_->run_id = id;
  impl_->run_name = name;
  impl_->start();
}

RunWriter::RunWriter(const std::string& db_path, const ReopenSpec& reopen, WriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->db = retry_busy([&] {
    return internal::open_database(db_path, OpenMode::ReadWrite, options.busy_timeout_ms).db;
  });
  impl_->run_id = reopen.run_id;
  impl_->adopt(retry_busy([&] {
    return internal::reopen_run(impl_->db, reopen.run_id, reopen.truncate_after_step,
                                kCrashedAfterSeconds);
  }));
  impl_->start();
}

void RunWriter::Impl::start() {
  last_heartbeat = internal::now_seconds();
  pending.reserve(options.wake_batch * 2);
  thread = std::thread([this] { loop(); });
}

// The series the run already has become this writer's keys, in the state the writer would have
// reached had it logged their points itself, so new points extend counts, chunks and the
// monotonic flag seamlessly.
void RunWriter::Impl::adopt(internal::ReopenedRun&& reopened) {
  run_name = std::move(reopened.name);
  dropped_points = static_cast<std::uint64_t>(reopened.dropped_points);
  for (internal::ReopenedSeries& s : reopened.series) {
    auto index = static_cast<std::uint32_t>(key_names.size());
    key_names.push_back(s.name);
    key_index.emplace(s.name, index);
    KeyState k;
    k.db_id = s.key_id;
    k.count = s.count;
    k.first_step = s.first_step;
    k.last_step = s.last.step;
    k.last_wall = s.last.wall_time;
    k.last_value = s.last.value;
    k.monotonic = s.monotonic;
    k.chunk_seq = s.chunk_seq;
    for (const internal::StoredPoint& p : s.tail) {
      add_to_chunk(k, PendingPoint{index, p.step, p.wall_time, p.value});
    }
    keys.push_back(k);
  }
  names_snapshot = key_names;
}

RunWriter::~RunWriter() {
  if (!impl_->finished) {
    try {
      finish(RunStatus::Failed, "writer closed without finish()");
    } catch (...) {
      // A destructor must not throw; the run then reads as crashed once the process is gone.
    }
  }
  if (impl_->thread.joinable()) {
    {
      std::lock_guard lock(impl_->mu);
      impl_->stop = true;
    }
    impl_->wake.notify_one();
    impl_->thread.join();
  }
}

std::int64_t RunWriter::run_id() const { return impl_->run_id; }
const std::string& RunWriter::run_name() const { return impl_->run_name; }

MetricKey RunWriter::key(std::string_view name) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->key_index.find(name);
  if (it != impl_->key_index.end()) return MetricKey{it->second};
  check_utf8("metric name", name);
  auto index = static_cast<std::uint32_t>(impl_->key_names.size());
  impl_->key_names.emplace_back(name);
  impl_->key_index.emplace(std::string(name), index);
  return MetricKey{index};
}

void RunWriter::log(MetricKey key, std::int64_t step, double value) {
  double wall = internal::now_seconds();
  std::lock_guard lock(impl_->mu);
  if (key.index >= impl_->key_names.size()) {
    throw Error("RunWriter::log: metric key index " + std::to_string(key.index) +
                " was not made by this writer's key()");
  }
  impl_->push({key.index, step, wall, value});
  impl_->logged_points.fetch_add(1, std::memory_order_relaxed);
}

void RunWriter::log(std::string_view name, std::int64_t step, double value) {
  double wall = internal::now_seconds();
  std::lock_guard lock(impl_->mu);
  auto it = impl_->key_index.find(name);
  std::uint32_t index;
  if (it != impl_->key_index.end()) {
    index = it->second;
  } else {
    check_utf8("metric name", name);
    index = static_cast<std::uint32_t>(impl_->key_names.size());
    impl_->key_names.emplace_back(name);
    impl_->key_index.emplace(std::string(name), index);
  }
  impl_->push({index, step, wall, value});
  impl_->logged_points.fetch_add(1, std::memory_order_relaxed);
}

void RunWriter::log_param(const std::string& key, const ParamValue& value) {
  internal::check_param({key, value});
  std::lock_guard lock(impl_->mu);
  impl_->pending_meta.params.push_back({key, value});
  ++impl_->enqueued;
}

void RunWriter::add_tag(const std::string& tag) {
  internal::check_tag(tag);
  std::lock_guard lock(impl_->mu);
  impl_->pending_meta.tags.push_back(tag);
  ++impl_->enqueued;
}

void RunWriter::add_artifact(const std::string& kind, const std::string& path,
                             std::optional<std::int64_t> step) {
  check_utf8("artifact kind", kind);
  check_utf8("artifact path", path);
  std::lock_guard lock(impl_->mu);
  impl_->pending_meta.artifacts.push_back({kind, path, step});
  ++impl_->enqueued;
}

void RunWriter::set_summary(const std::string& summary) {
  check_utf8("run summary", summary);
  std::lock_guard lock(impl_->mu);
  impl_->pending_meta.summary = summary;
  ++impl_->enqueued;
}

void RunWriter::flush() {
  std::unique_lock lock(impl_->mu);
  if (impl_->stop) throw Error("RunWriter::flush: run '" + impl_->run_name + "' is finished");
  std::uint64_t target = impl_->enqueued;
  std::uint64_t failures = impl_->failures;
  impl_->flush_requested = true;
  impl_->wake.notify_one();
  impl_->committed.wait(
      lock, [&] { return impl_->committed_ops >= target || impl_->failures > failures; });
  if (impl_->committed_ops < target) {
    throw Error("RunWriter::flush: run '" + impl_->run_name + "': " + impl_->last_error +
                " (the points stay buffered and are retried)");
  }
}

void RunWriter::finish(RunStatus status, const std::string& error) {
  if (status == RunStatus::Running || status == RunStatus::Crashed) {
    throw Error(std::string("RunWriter::finish: '") + to_string(status) +
                "' is not an end state (use finished, failed or interrupted)");
  }
  std::uint64_t failures;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->finished) {
      throw Error("RunWriter::finish: run '" + impl_->run_name + "' is already finished");
    }
    impl_->finished = true;
    impl_->final_state = FinalState{status, error};
    failures = impl_->failures;
    impl_->stop = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
  std::lock_guard lock(impl_->mu);
  if (impl_->failures > failures) {
    throw Error("RunWriter::finish: run '" + impl_->run_name +
                "': the final write failed: " + impl_->last_error);
  }
}

void RunWriter::check() const {
  if (!impl_->failed.load(std::memory_order_acquire)) return;
  std::lock_guard lock(impl_->mu);
  throw Error("run '" + impl_->run_name +
              "': writing to the database failed: " + impl_->first_error);
}

std::uint64_t RunWriter::logged_points() const {
  return impl_->logged_points.load(std::memory_order_relaxed);
}
std::uint64_t RunWriter::committed_points() const {
  return impl_->committed_points.load(std::memory_order_relaxed);
}
std::uint64_t RunWriter::dropped_points() const { return impl_->dropped_points; }

void RunWriter::Impl::loop() {
  const auto interval = std::chrono::milliseconds(options.flush_interval_ms);
  while (true) {
    std::optional<FinalState> fin;
    std::uint64_t target;
    bool stopping;
    {
      std::unique_lock lock(mu);
      wake.wait_for(lock, interval, [&] {
        return stop || flush_requested || pending.size() >= options.wake_batch;
      });
      // A batch that failed earlier is still in `batch` (from batch_done on): append to it.
      if (batch_done == batch.size()) {
        batch.clear();
        batch_done = 0;
        batch.swap(pending);
      } else {
        batch.insert(batch.end(), pending.begin(), pending.end());
        pending.clear();
      }
      batch_meta.append(std::move(pending_meta));
      if (names_snapshot.size() != key_names.size()) names_snapshot = key_names;
      target = enqueued;
      flush_requested = false;
      stopping = stop;
      fin = final_state;
    }
    bool ok = false;
    std::string error;
    for (int attempt = 1; !ok; ++attempt) {
      try {
        write_pending(fin);
        ok = true;
      } catch (const internal::BusyError& e) {
        error = e.what();
        if (attempt == kBusyAttempts) break;
      } catch (const std::exception& e) {
        error = e.what();
        break;
      }
    }
    {
      std::lock_guard lock(mu);
      if (ok) {
        committed_ops = std::max(committed_ops, target);
      } else {
        ++failures;
        last_error = error;
        if (first_error.empty()) first_error = error;
        failed.store(true, std::memory_order_release);
      }
    }
    committed.notify_all();
    if (stopping) return;
  }
}

void RunWriter::Impl::write_pending(const std::optional<FinalState>& fin) {
  double now = internal::now_seconds();
  bool has_work = batch_done < batch.size() || !batch_meta.empty() || fin;
  if (!has_work) {
    if (now - last_heartbeat < kHeartbeatIntervalSeconds) return;
    Stmt hb(db, "UPDATE runs SET heartbeat = ? WHERE id = ?");
    require_run(hb.bind(1, now).bind(2, run_id).run());
    last_heartbeat = now;
    return;
  }
  if (keys.size() < names_snapshot.size()) keys.resize(names_snapshot.size());
  bool first = true;
  do {
    std::size_t end = std::min(batch.size(), batch_done + kSlicePoints);
    bool last = end == batch.size();
    write_slice(end, first, last ? fin : std::nullopt);
    first = false;
  } while (batch_done < batch.size());
}

void RunWriter::Impl::add_point(internal::BulkInsert& insert_metric,
                                internal::BulkInsert& insert_chunk, const PendingPoint& p) {
  KeyState& k = keys[p.key];
  if (k.db_id < 0) k.db_id = internal::intern_key(db, names_snapshot[p.key]);
  insert_metric.add(run_id).add(k.db_id).add(p.step).add(p.wall_time).add(p.value).end_row();

  if (k.count == 0) k.first_step = p.step;
  if (k.count > 0 && p.step < k.last_step) k.monotonic = false;
  ++k.count;
  k.last_step = p.step;
  k.last_wall = p.wall_time;
  k.last_value = p.value;
  k.dirty = true;

  if (add_to_chunk(k, p)) {
    insert_chunk.add(run_id).add(k.db_id).add(k.chunk_seq).add(k.chunk_first).add(p.step);
    insert_chunk.add(k.chunk_count).add(k.chunk_min.step).add(k.chunk_min.wall_time);
    insert_chunk.add(k.chunk_min.value).add(k.chunk_max.step).add(k.chunk_max.wall_time);
    insert_chunk.add(k.chunk_max.value).end_row();
    ++k.chunk_seq;
    k.chunk_count = 0;
  }
}

void RunWriter::Impl::write_slice(std::size_t end, bool with_meta,
                                  const std::optional<FinalState>& fin) {
  std::vector<KeyState> saved = keys;
  try {
    internal::Transaction tx(db);
    if (with_meta) {
      for (const Param& p : batch_meta.params) internal::upsert_param(db, run_id, p);
      for (const std::string& t : batch_meta.tags) internal::insert_tag(db, run_id, t);
      for (const auto& a : batch_meta.artifacts) {
        internal::insert_artifact(db, run_id, a.kind, a.path, a.step);
      }
      if (batch_meta.summary) {
        Stmt s(db, "UPDATE runs SET summary = ? WHERE id = ?");
        s.bind(1, *batch_meta.summary).bind(2, run_id).run();
      }
    }
    if (batch_done < end) {
      internal::BulkInsert insert_metric(db, "metrics",
                                         {"run_id", "key_id", "step", "wall_time", "value"});
      internal::BulkInsert insert_chunk(
          db, "metric_chunks",
          {"run_id", "key_id", "seq", "first_step", "last_step", "count", "min_step",
           "min_wall_time", "min_value", "max_step", "max_wall_time", "max_value"});
      for (std::size_t i = batch_done; i < end; ++i)
        add_point(insert_metric, insert_chunk, batch[i]);
      insert_metric.flush();
      insert_chunk.flush();
      Stmt series(db,
                  "INSERT INTO metric_series(run_id, key_id, count, first_step, last_step, "
                  "last_wall_time, last_value, monotonic) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT(run_id, key_id) DO UPDATE SET count = excluded.count, "
                  "first_step = excluded.first_step, last_step = excluded.last_step, "
                  "last_wall_time = excluded.last_wall_time, last_value = excluded.last_value, "
                  "monotonic = excluded.monotonic");
      for (KeyState& k : keys) {
        if (!k.dirty) continue;
        series.bind(1, run_id).bind(2, k.db_id).bind(3, k.count).bind(4, k.first_step);
        series.bind(5, k.last_step).bind(6, k.last_wall).bind(7, k.last_value);
        series.bind(8, static_cast<std::int64_t>(k.monotonic ? 1 : 0));
        series.run();
        k.dirty = false;
      }
    }
    double now = internal::now_seconds();
    std::int64_t changed = 0;
    if (fin) {
      Stmt s(db, "UPDATE runs SET status = ?, error = ?, end_time = ?, heartbeat = ? WHERE id = ?");
      s.bind(1, std::string_view(to_string(fin->status))).bind(2, fin->error).bind(3, now);
      changed = s.bind(4, now).bind(5, run_id).run();
    } else {
      Stmt hb(db, "UPDATE runs SET heartbeat = ? WHERE id = ?");
      changed = hb.bind(1, now).bind(2, run_id).run();
    }
    require_run(changed);  // before the commit: nothing is added for a run that was removed
    tx.commit();
    last_heartbeat = now;
  } catch (...) {
    keys = std::move(saved);
    throw;
  }
  committed_points.fetch_add(end - batch_done, std::memory_order_relaxed);
  batch_done = end;
  if (with_meta) batch_meta = Meta{};
}

}  // namespace rein::tracker
