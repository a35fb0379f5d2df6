// ProgressDisplay: bar on a terminal, periodic plain lines otherwise.
#include "apps/cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "apps/cli/live_block.h"
#include "tracker/run_facts.h"

namespace rein::cli {

ProgressDisplay::ProgressDisplay(bool enabled, std::FILE* out, std::string unit)
    : enabled_(enabled),
      unit_(std::move(unit)),
      tty_(isatty(fileno(out)) != 0),
      out_(out),
      last_(std::chrono::steady_clock::now()) {}

void ProgressDisplay::update(const rl::TrainProgress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  const bool done = p.step >= p.total_steps;
  // A terminal is redrawn up to 10 times a second; a log gets a line every 5 seconds.
  if (since < (tty_ ? 0.1 : 5.0) && !done) return;
  last_ = now;
  const double frac =
      std::min(1.0, static_cast<double>(p.step) / static_cast<double>(p.total_steps));
  const double eta = done ? 0.0
                     : p.steps_per_second > 0
                         ? static_cast<double>(p.total_steps - p.step) / p.steps_per_second
                         : NAN;
  std::string ret = "-";
  if (p.mean_return) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", *p.mean_return);
    ret = b;
  }
  const std::string label = label_.empty() ? "" : label_ + "  ";
  if (tty_) {
    const std::string bar = progress_bar(frac, 24);
    std::fprintf(out_, "\r%s%s %3.0f%%  %s/%s %ss  %s %ss/s  return %s  ETA %s   ", label.c_str(),
                 bar.c_str(), frac * 100, format_count(p.step).c_str(),
                 format_count(p.total_steps).c_str(), unit_.c_str(),
                 format_count(std::llround(p.steps_per_second)).c_str(), unit_.c_str(), ret.c_str(),
                 tracker::format_duration(eta).c_str());
    drawn_ = true;
  } else {
    std::fprintf(out_, "%s%s %s/%s (%.0f%%)  %s %ss/s  return %s  elapsed %s  ETA %s\n",
                 label.c_str(), unit_.c_str(), format_count(p.step).c_str(),
                 format_count(p.total_steps).c_str(), frac * 100,
                 format_count(std::llround(p.steps_per_second)).c_str(), unit_.c_str(), ret.c_str(),
                 tracker::format_duration(p.elapsed_seconds).c_str(),
                 tracker::format_duration(eta).c_str());
  }
  std::fflush(out_);
}

void ProgressDisplay::finish() {
  if (drawn_) std::fputc('\n', out_);
  drawn_ = false;
  std::fflush(out_);
}

}  // namespace rein::cli
