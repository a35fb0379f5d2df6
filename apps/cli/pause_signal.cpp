// PauseSignal: one process-wide flag behind SIGUSR1.
#include "apps/cli/pause_signal.h"

#include <chrono>
#include <csignal>
#include <thread>

namespace rein::cli {
namespace {

std::atomic<bool> g_continue{false};

extern "C" void on_continue_signal(int) { g_continue.store(true); }

}  // namespace

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
