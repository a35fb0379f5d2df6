// Ctrl-C and SIGTERM (kill, systemd, a batch scheduler) as a request to stop cleanly: while a
// StopSignals lives, either sets its flag, which training loops and process pools poll; a
// second one kills at once. The previous handlers come back when it goes.
#pragma once

#include <atomic>
#include <csignal>

namespace rein::cli {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<bool>& flag() const;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

}  // namespace rein::cli
