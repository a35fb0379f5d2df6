// StopSignals: one process-wide flag behind SIGINT and SIGTERM; PauseSignal: one behind SIGUSR1.
#include "apps/cli/stop_signals.h"

#include <chrono>
#include <thread>

namespace rein::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second one kills at once
}

std::atomic<bool> g_continue{false};

extern "C" void on_continue_signal(int) { g_continue.store(true); }

}  // namespace

StopSignals::StopSignals() {
  g_stop = false;
  previous_int_ = std::signal(SIGINT, on_stop_signal);
  previous_term_ = std::signal(SIGTERM, on_stop_signal);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

const std::atomic<bool>& StopSignals::flag() const { return g_stop; }

PauseSignal::PauseSignal() {
  g_continue = false;
  previous_ = std::signal(SIGUSR1, on_continue_signal);
}

PauseSignal::~PauseSignal() { std::signal(SIGUSR1, previous_); }

void PauseSignal::wait(const std::atomic<bool>& stop) const {
  // Polling keeps this simple and async-signal-safe; a paused run costs no measurable CPU.
  while (!g_continue.exchange(false) && !stop.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace rein::cli
