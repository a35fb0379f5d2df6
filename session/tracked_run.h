// TrackedRun: one training run as the tracker records it. It creates the run (or reopens it to
// continue from a checkpoint, dropping the points logged after that checkpoint), hands the
// trainer a MetricSink that writes to it, registers the checkpoints training writes as artifacts
// (keeping only the newest files on disk), and stores the end state with its summary.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tracker/run_writer.h"

namespace rein::session {

// rl::MetricSink -> tracker::RunWriter, with metric names interned once.
class RunWriterSink final : public rl::MetricSink {
 public:
  explicit RunWriterSink(tracker::RunWriter& writer) : writer_(writer) {}
  void log(int64_t step, std::string_view name, double value) override;
  void check() override { writer_.check(); }

 private:
  tracker::RunWriter& writer_;
  std::unordered_map<std::string, tracker::MetricKey> keys_;
};

class TrackedRun {
 public:
  // A new run described by `spec`. Throws tracker::Error if the database cannot be written.
  TrackedRun(const std::string& db, const tracker::RunSpec& spec);
  // Continues run `run_id` in place from a checkpoint at `resume_step`: points logged after that
  // step are deleted (training repeats those steps, and a curve must not double back), and the
  // params and tags of `spec` are written again (so a changed total_timesteps shows); the run's
  // name, start time and command stay.
  TrackedRun(const std::string& db, int64_t run_id, int64_t resume_step,
             const tracker::RunSpec& spec);
  ~TrackedRun();
  TrackedRun(const TrackedRun&) = delete;
  TrackedRun& operator=(const TrackedRun&) = delete;

  int64_t id() const { return writer_->run_id(); }
  const std::string& name() const { return writer_->run_name(); }
  tracker::RunWriter& writer() { return *writer_; }
  rl::MetricSink& sink() { return sink_; }
  // Points the reopening constructor deleted (0 for a new run).
  uint64_t dropped_points() const { return writer_->dropped_points(); }

  // Records `path` (made absolute) as a checkpoint artifact at `step`. With keep > 0 only the
  // newest `keep` files this object registered stay on disk; the rows of older ones then read as
  // "file missing" until `rein runs gc` drops them.
  void add_checkpoint(const std::string& path, int64_t step, int64_t keep);
  // The newest checkpoint registered (absolute), empty if none.
  const std::string& last_checkpoint() const { return last_checkpoint_; }

  // Stores the summary (global_step, wall_seconds, checkpoint, final evaluation) and the end
  // state: Interrupted when training was stopped, else Finished. Throws tracker::Error if the
  // final write failed.
  void finish(const rl::TrainResult& result);
  // Ends the run as Failed with `error`. Never throws: the database may be what failed, and the
  // caller reports the training error, not this one.
  void fail(const std::string& error) noexcept;

 private:
  std::unique_ptr<tracker::RunWriter> writer_;
  RunWriterSink sink_;
  std::string last_checkpoint_;
  std::deque<std::string> written_;  // checkpoint files this object registered, oldest first
};

}  // namespace rein::session
