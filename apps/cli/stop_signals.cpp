// StopSignals: one process-wide flag behind SIGINT and SIGTERM.
#include "apps/cli/stop_signals.h"

namespace rein::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second one kills at once
}

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

}  // namespace rein::cli
