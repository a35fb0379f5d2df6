// rein::rl::MetricSink, the one way rl/ reports numbers: apps/ connects it to the tracker, tests
// to a MemorySink, so training runs without a database (STYLE.md 1).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rein::rl {

// Receives metrics as they are produced. `step` is the global environment step (the x-axis of
// every metric); names come from DESIGN.md's vocabulary ("train/episode_return", "loss/policy"
// ...). Called from the training thread only.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual void log(int64_t step, std::string_view name, double value) = 0;
  // Throws (e.g. rein::Error) once the sink can no longer record what it is given, such as a
  // database that refused a write. The Trainer calls it after every iteration and stops with a
  // checkpoint at the first fault, instead of training on without a record. log() itself never
  // throws for that reason: an agent is never interrupted halfway through an update.
  virtual void check() {}
};

// Discards everything (for evaluation-only runs and benchmarks).
class NullSink final : public MetricSink {
 public:
  void log(int64_t, std::string_view, double) override {}
};

// Keeps every point in memory, in order: for tests and for comparing runs bit for bit.
class MemorySink final : public MetricSink {
 public:
  struct Point {
    int64_t step;
    std::string name;
    double value;
    bool operator==(const Point&) const = default;
  };
  void log(int64_t step, std::string_view name, double value) override {
    points_.push_back({step, std::string(name), value});
  }
  const std::vector<Point>& points() const { return points_; }
  // The values logged under `name`, in order.
  std::vector<double> values(std::string_view name) const {
    std::vector<double> out;
    for (const Point& p : points_)
      if (p.name == name) out.push_back(p.value);
    return out;
  }

 private:
  std::vector<Point> points_;
};

// Forwards to two sinks (e.g. the tracker and the progress display).
class TeeSink final : public MetricSink {
 public:
  TeeSink(MetricSink& a, MetricSink& b) : a_(a), b_(b) {}
  void log(int64_t step, std::string_view name, double value) override {
    a_.log(step, name, value);
    b_.log(step, name, value);
  }
  void check() override {
    a_.check();
    b_.check();
  }

 private:
  MetricSink& a_;
  MetricSink& b_;
};

}  // namespace rein::rl
