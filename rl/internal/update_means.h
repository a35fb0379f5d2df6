// UpdateMeans: the Trainer's log interval (RunConfig::log_interval). Update metrics (losses, grad
// norm, learning rate, ...; metric::is_update_metric) are summed as agents log them and written
// as one mean per name when the interval is crossed, so an off-policy run that updates at every
// env step writes a few points per interval instead of several per step. The running sums are
// checkpoint state, so a run resumed in the middle of an interval writes the same means as one
// that was never interrupted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rl/metric_sink.h"
#include "tensor/state_io.h"

namespace rein::rl::internal {

// Thread-safety: one thread at a time (the training thread).
class UpdateMeans {
 public:
  void add(std::string_view name, double value);
  // Logs the mean of each name at `step`, in the order the names were first added since the
  // last flush, then starts a new interval. A name added once is written as the value itself,
  // bit for bit.
  void flush(MetricSink& sink, int64_t step);
  bool empty() const { return means_.empty(); }
  // The sums and counts not yet written.
  void state(StateIO& io);

 private:
  struct Mean {
    std::string name;
    double sum = 0.0;
    int64_t count = 0;
  };
  std::vector<Mean> means_;  // a handful of names: a linear search beats a map
};

// Between an agent and the run's sink: finite update metrics go to `means` when averaging, every
// other point (and every point when not averaging) straight to `next`.
class UpdateAveragingSink final : public MetricSink {
 public:
  UpdateAveragingSink(MetricSink& next, UpdateMeans& means, bool averaging)
      : next_(next), means_(means), averaging_(averaging) {}
  void log(int64_t step, std::string_view name, double value) override;
  void check() override { next_.check(); }

 private:
  MetricSink& next_;
  UpdateMeans& means_;
  bool averaging_;
};

}  // namespace rein::rl::internal
