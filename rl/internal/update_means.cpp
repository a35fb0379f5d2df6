// Update metrics averaged over the log interval, and their checkpoint state.
#include "rl/internal/update_means.h"

#include <cmath>

#include "rl/metric_names.h"

namespace rein::rl::internal {

void UpdateMeans::add(std::string_view name, double value) {
  for (Mean& m : means_) {
    if (m.name == name) {
      m.sum += value;
      ++m.count;
      return;
    }
  }
  // The first value is the sum itself (not 0.0 + value, which would turn -0.0 into 0.0).
  means_.push_back({std::string(name), value, 1});
}

void UpdateMeans::flush(MetricSink& sink, int64_t step) {
  for (const Mean& m : means_)
    sink.log(step, m.name, m.count == 1 ? m.sum : m.sum / static_cast<double>(m.count));
  means_.clear();
}

void UpdateMeans::state(StateIO& io) {
  int64_t size = static_cast<int64_t>(means_.size());
  io.integer("pending_metrics", size, 0, 10'000);
  if (io.loading()) means_.assign(static_cast<size_t>(size), {});
  std::vector<StateIO> rows = io.objects("means", static_cast<size_t>(size));
  for (size_t i = 0; i < means_.size(); ++i) {
    rows[i].text("name", means_[i].name);
    rows[i].number("sum", means_[i].sum);
    rows[i].integer("count", means_[i].count, 1, kMaxCounter);
    for (size_t j = 0; io.loading() && j < i; ++j)
      if (means_[j].name == means_[i].name)
        io.fail(str("metric '", means_[i].name, "' has two pending means"));
  }
}

void UpdateAveragingSink::log(int64_t step, std::string_view name, double value) {
  // A NaN or infinite value is written as it comes: a mean would hide it, and checkpoint state
  // holds finite numbers only (built-in agents stop on non-finite losses; a plug-in may not).
  if (averaging_ && metric::is_update_metric(name) && std::isfinite(value))
    means_.add(name, value);
  else
    next_.log(step, name, value);
}

}  // namespace rein::rl::internal
