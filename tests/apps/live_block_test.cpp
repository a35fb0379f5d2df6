// The CLI's live progress block: on a terminal (a pseudo-terminal here) redrawn in place with
// events above it, lines cut to the terminal's width; in a file, events and plain lines.
#include "apps/cli/live_block.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rein::cli {
namespace {

// A pseudo-terminal of `columns` columns, raw (no "\n" -> "\r\n"); the block writes to `out`
// (its slave side) and the test reads what a terminal would receive from the master side.
class Pty {
 public:
  explicit Pty(unsigned short columns) {
    winsize ws{};
    ws.ws_col = columns;
    ws.ws_row = 24;
    EXPECT_EQ(openpty(&master_, &slave_, nullptr, nullptr, &ws), 0);
    termios t{};
    tcgetattr(slave_, &t);
    cfmakeraw(&t);
    tcsetattr(slave_, TCSANOW, &t);
    fcntl(master_, F_SETFL, fcntl(master_, F_GETFL) | O_NONBLOCK);
    out = fdopen(slave_, "w");
  }
  ~Pty() {
    std::fclose(out);
    close(master_);
  }
  std::string read_all() {
    std::fflush(out);
    std::string s;
    char buf[4096];
    for (ssize_t n; (n = ::read(master_, buf, sizeof buf)) > 0;)
      s.append(buf, static_cast<size_t>(n));
    return s;
  }
  std::FILE* out = nullptr;

 private:
  int master_ = -1, slave_ = -1;
};

TEST(LiveBlock, OnATerminalTheBlockIsRedrawnInPlaceWithEventsAboveIt) {
  unsetenv("COLUMNS");
  Pty pty(20);
  LiveBlock block(pty.out, true, /*terminal_every=*/0.0);
  ASSERT_TRUE(block.terminal());
  block.update({"trials: 1 running", "  trial 0 [..]"});
  EXPECT_EQ(pty.read_all(), "trials: 1 running\n  trial 0 [..]\n");
  // An event erases the block (up two lines, erase to the end), prints, and draws it again.
  block.event("trial 0 complete: 500");
  EXPECT_EQ(pty.read_all(),
            "\r\x1b[2A\x1b[J"
            "trial 0 complete: 500\n"
            "trials: 1 running\n  trial 0 [..]\n");
  // A shorter block replaces the longer one; a line wider than the terminal is cut, not wrapped.
  block.update({"trials: 1 complete, and a long tail"});
  EXPECT_EQ(pty.read_all(), "\r\x1b[2A\x1b[Jtrials: 1 complete…\n");
  block.clear();
  EXPECT_EQ(pty.read_all(), "\r\x1b[1A\x1b[J");
  block.clear();  // nothing shown: nothing to erase
  EXPECT_EQ(pty.read_all(), "");
  // Finished: the last block stays, events are plain lines, updates draw nothing.
  block.update({"done"});
  block.finish();
  block.event("sweep 1 finished");
  block.update({"ignored"});
  EXPECT_EQ(pty.read_all(), "done\nsweep 1 finished\n");
}

TEST(LiveBlock, OnATerminalRedrawsAreRateLimited) {
  Pty pty(80);
  LiveBlock block(pty.out, true, /*terminal_every=*/3600.0);
  EXPECT_TRUE(block.due());
  block.update({"first"});
  EXPECT_FALSE(block.due());
  block.update({"second"});  // too soon: not drawn
  EXPECT_EQ(pty.read_all(), "first\n");
}

TEST(LiveBlock, InAFileEventsAndPlainLinesOnly) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    LiveBlock block(f, true, 0.0, /*plain_every=*/0.0);
    EXPECT_FALSE(block.terminal());
    block.update({"trials: 1 running", "  trial 0"});
    block.event("trial 0 complete");
    block.update({"trials: 1 complete"});
    block.clear();
  }
  LiveBlock quiet(f, false);
  quiet.update({"not shown"});
  quiet.event("shown");
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += static_cast<char>(c);
  std::fclose(f);
  EXPECT_EQ(text, "trials: 1 running\n  trial 0\ntrial 0 complete\ntrials: 1 complete\nshown\n");
}

TEST(LiveBlock, ProgressBarFillsItsShareOfCells) {
  EXPECT_EQ(progress_bar(0.5, 8), "[####....]");
  EXPECT_EQ(progress_bar(0.0, 4), "[....]");
  EXPECT_EQ(progress_bar(2.0, 4), "[####]");
  EXPECT_EQ(progress_bar(-1.0, 4), "[....]");
  EXPECT_EQ(progress_bar(std::nan(""), 4), "[....]");
}

}  // namespace
}  // namespace rein::cli
