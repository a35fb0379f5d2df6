// session::StopSignals, the one Ctrl-C/SIGTERM handling of `rein train`, `rein sweep` and the
// Python module: the flag, the second signal, and the handlers it restores.
#include "session/stop_signals.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>

namespace rein::session {
namespace {

std::atomic<int> g_caught{0};
extern "C" void count_signal(int) { g_caught.fetch_add(1); }

// The handler installed for `signal` now.
void (*handler_of(int signal))(int) {
  struct sigaction now {};
  sigaction(signal, nullptr, &now);
  return now.sa_handler;
}

TEST(StopSignals, SigintAndSigtermSetTheFlagThenTheSecondOneHasItsDefaultAction) {
  for (int signal : {SIGINT, SIGTERM}) {
    const StopSignals signals;
    EXPECT_FALSE(signals.flag().load());
    std::raise(signal);
    EXPECT_TRUE(signals.flag().load());
    EXPECT_TRUE(signals.received());
    EXPECT_EQ(handler_of(signal), SIG_DFL);  // the next one kills at once
  }
}

TEST(StopSignals, SetsTheCallersFlagAndRestoresThePreviousHandlers) {
  std::signal(SIGINT, count_signal);
  std::signal(SIGTERM, count_signal);
  g_caught = 0;
  std::atomic<bool> stop{false};
  {
    // The Python module's way: its own flag, SIGINT only, every Ctrl-C caught.
    const StopSignals signals(stop, {.sigterm = false, .second_kills = false});
    EXPECT_EQ(handler_of(SIGTERM), count_signal);
    std::raise(SIGINT);
    std::raise(SIGINT);
    EXPECT_TRUE(stop.load());
    EXPECT_TRUE(signals.received());
    EXPECT_EQ(g_caught.load(), 0);
  }
  EXPECT_EQ(handler_of(SIGINT), count_signal);
  std::raise(SIGINT);
  EXPECT_EQ(g_caught.load(), 1);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

TEST(StopSignals, ANestedOneTakesTheSignalsUntilItGoes) {
  std::atomic<bool> outer_flag{false}, inner_flag{false};
  const StopSignals outer(outer_flag, {.second_kills = false});
  {
    const StopSignals inner(inner_flag, {.second_kills = false});
    std::raise(SIGTERM);
    EXPECT_TRUE(inner_flag.load());
    EXPECT_FALSE(outer_flag.load());
  }
  std::raise(SIGTERM);
  EXPECT_TRUE(outer_flag.load());
  EXPECT_TRUE(outer.received());
}

}  // namespace
}  // namespace rein::session
