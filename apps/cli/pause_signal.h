// SIGUSR1 as "go on" for a run paused by `rein train --pause-at` (rein sweep sends it once it
// judged the run's trial). Ctrl-C and SIGTERM are session::StopSignals (session/stop_signals.h).
#pragma once

#include <atomic>

namespace rein::cli {

// While a PauseSignal lives, SIGUSR1 is caught (a signal that arrives before wait() is kept for
// it); the previous handler comes back when it goes.
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
