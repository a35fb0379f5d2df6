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

// SIGUSR1 as "go on" for a run paused by `rein train --pause-at` (rein sweep sends it once it
// judged the run's trial). While a PauseSignal lives, SIGUSR1 is caught (a signal that arrives
// before wait() is kept for it); the previous handler comes back when it goes.
class PauseSignal {
 public:
  PauseSignal();
  ~PauseSignal();
  PauseSignal(const PauseSignal&) = delete;
  PauseSignal& operator=(const PauseSignal&) = delete;

  // Returns once SIGUSR1 arrived (since the last wait) or `stop` is set.
  void wait(const std::atomic<bool>& stop) const;

 private:
  void (*previous_)(int);
};

}  // namespace rein::cli
