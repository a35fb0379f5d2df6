// RunWriter: what the training loop holds while it trains. It creates the run, then buffers
// metrics in memory and writes them in batches from a background thread, so log() costs tens of
// nanoseconds and never waits for the disk.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/error.h"
#include "tracker/types.h"

namespace rein::tracker {

struct WriterOptions {
  // Buffered points reach the database at least this often (DESIGN.md: within a second).
  int flush_interval_ms = 250;
  // The background thread also wakes early once this many points are waiting.
  std::size_t wake_batch = 16384;
  // How long a batch waits for another process's write lock per attempt (SQLite's busy
  // timeout, PostgreSQL's lock_timeout); after 5 attempts the
  // batch fails (it is kept and retried on the next flush, and flush() throws).
  int busy_timeout_ms = 10000;
};

// How RunWriter takes an existing run back for writing (`rein train --resume`).
struct ReopenSpec {
  std::int64_t run_id = 0;
  // Points with a larger step are deleted before writing resumes: they were logged after the
  // checkpoint training continues from, so the resumed run logs those steps again and a curve
  // must not double back. nullopt keeps every point.
  std::optional<std::int64_t> truncate_after_step{};
};

// A metric name interned by RunWriter::key(); logging through it skips the name lookup.
struct MetricKey {
  std::uint32_t index = 0;
};

// Thread-safety: log(), key(), log_param(), add_artifact(), add_tag() and flush() may be called
// from any thread. finish() and the destructor from one thread, after the others stopped.
//
// Durability: a batch is committed in one transaction (SQLite: BEGIN IMMEDIATE, WAL,
// synchronous=NORMAL; PostgreSQL: one COPY under the writers' advisory lock): it survives kill -9
// of the process entirely or not at all. flush()
// returns once everything logged before it is committed, and throws if the disk refused it.
class RunWriter {
 public:
  // Opens `db_path`, a file or a postgresql:// URL (creating the file or the tables if needed),
  // creates the run from `spec` and starts the writer
  // thread. Throws Error if the database cannot be written (read-only, not a rein file, ...).
  RunWriter(const std::string& db_path, const RunSpec& spec, WriterOptions options = {});
  // Reopens the run `reopen.run_id`: status back to running under this process (end time and
  // error cleared), params, tags, artifacts and summary kept, points past
  // reopen.truncate_after_step deleted; new points append to the same series. Throws Error if
  // the run does not exist or another live writer still holds it (a crashed, finished, failed
  // or interrupted run can be reopened).
  RunWriter(const std::string& db_path, const ReopenSpec& reopen, WriterOptions options = {});
  // Flushes; if finish() was not called the run ends as Failed ("writer closed without finish()"),
  // which is what an exception unwinding through the training loop should leave behind. Never
  // throws: a failure here is only visible as a missing end state.
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  std::int64_t run_id() const;
  const std::string& run_name() const;

  MetricKey key(std::string_view name);
  // Buffers one point; `step` is the global environment step. Wall time is taken here.
  void log(MetricKey key, std::int64_t step, double value);
  void log(std::string_view name, std::int64_t step, double value);

  // Written with the next batch; a param logged twice keeps the last value. Text that is not
  // UTF-8 (names, tags, paths, string values) throws Error here, in the caller's thread.
  void log_param(const std::string& key, const ParamValue& value);
  void add_tag(const std::string& tag);
  void add_artifact(const std::string& kind, const std::string& path,
                    std::optional<std::int64_t> step = std::nullopt);
  // Free-form text (JSON by convention) shown by `rein runs show`; written at finish().
  void set_summary(const std::string& summary);

  // Blocks until everything buffered before the call is committed. Throws Error (with SQLite's
  // reason, e.g. "database or disk is full") if the last attempt failed; the points stay
  // buffered and are retried.
  void flush();
  // Flushes, stores the end state (Finished, Failed with `error`, or Interrupted after Ctrl-C),
  // the summary and end time, and stops the thread. Throws Error if the final write failed.
  // Calling it twice throws.
  void finish(RunStatus status, const std::string& error = "");

  // Throws Error (naming the run and the database's first reason, e.g. "database or disk is
  // full" or "run 3 ... is no longer in the database") once any write of this writer failed,
  // even if a later retry succeeded: the trainer calls it after every iteration and stops at
  // the first storage fault instead of training on without a record. Cheap (one atomic load).
  void check() const;

  // Points logged and points committed so far (for progress lines and tests).
  std::uint64_t logged_points() const;
  std::uint64_t committed_points() const;
  // Points the reopening constructor deleted (0 for a new run).
  std::uint64_t dropped_points() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rein::tracker
