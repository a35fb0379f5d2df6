// StopSignals: SIGINT and SIGTERM set the stop flag of the newest StopSignals.
#include "session/stop_signals.h"

namespace rein::session {
namespace {

// The StopSignals whose flag a signal sets: a lock-free atomic pointer, so the handler may read
// it (async-signal-safe), to an object whose handler-side state is atomics only.
std::atomic<StopSignals*> g_current{nullptr};

}  // namespace

void on_stop_signal(int /*signal*/) {
  if (StopSignals* s = g_current.load()) {
    s->received_.store(true);
    s->stop_->store(true);
  }
}

StopSignals::StopSignals(StopSignalOptions options) : stop_(&own_) { install(options); }

StopSignals::StopSignals(std::atomic<bool>& stop, StopSignalOptions options) : stop_(&stop) {
  install(options);
}

void StopSignals::install(StopSignalOptions options) {
  previous_object_ = g_current.exchange(this);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a system call the signal interrupts (a write, a wait for a child) goes on, as
  // with std::signal; SA_RESETHAND: the signal's default action takes the next one.
  action.sa_flags = SA_RESTART | (options.second_kills ? SA_RESETHAND : 0);
  sigaction(SIGINT, &action, &previous_int_);
  term_ = options.sigterm;
  if (term_) sigaction(SIGTERM, &action, &previous_term_);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &previous_int_, nullptr);
  if (term_) sigaction(SIGTERM, &previous_term_, nullptr);
  g_current.store(previous_object_);
}

}  // namespace rein::session
