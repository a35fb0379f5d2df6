// Progress display of long commands: a one-line bar redrawn in place on a terminal (steps,
// steps/s, recent mean return, ETA), or a plain line every few seconds when the output is a file
// or a pipe (CI logs stay readable).
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "rl/trainer.h"
#include "session/train.h"

namespace rein::cli {

class ProgressDisplay {
 public:
  // Writes to `out` (stderr by default); enabled = false prints nothing. `unit` names what
  // TrainProgress::step counts, in the singular ("step", or "episode" for `rein record`).
  explicit ProgressDisplay(bool enabled, std::FILE* out = stderr, std::string unit = "step");
  void update(const rl::TrainProgress& p);
  // Ends the bar's line (call before printing anything else).
  void finish();
  // Text shown before the bar or line from the next update on ("seeds: 2 done, 3 running").
  void set_label(std::string label) { label_ = std::move(label); }

 private:
  bool enabled_;
  std::string unit_;
  bool tty_;
  std::FILE* out_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_;
};

using session::format_count;  // 100352 -> "100,352"

}  // namespace rein::cli
