// A block of status lines kept at the bottom of a terminal and redrawn in place (the summary
// and the running trials of `rein sweep`, the running seeds of `rein train --seeds`), with
// event lines ("trial 3 complete: ...") printed above it as they happen, so the terminal keeps
// a history of events under one live display. Without a terminal (a file, a pipe, CI logs) the
// events are printed as they come and the block as plain lines every few seconds.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace rein::cli {

// "[########................]": `fraction` (clamped to [0, 1]) of `width` cells filled.
std::string progress_bar(double fraction, int width);

class LiveBlock {
 public:
  // `enabled` = false: only events are printed. On a terminal the block is redrawn at most
  // every `terminal_every` seconds; elsewhere printed every `plain_every` seconds.
  LiveBlock(std::FILE* out, bool enabled, double terminal_every = 0.5, double plain_every = 10.0);
  ~LiveBlock();
  LiveBlock(const LiveBlock&) = delete;
  LiveBlock& operator=(const LiveBlock&) = delete;

  // Whether update() would show the block now: callers skip computing its lines when not.
  bool due() const;
  // Shows `lines` (the first a summary) if due(): redrawn in place on a terminal, cut to its
  // width so that no line wraps; printed as they are otherwise.
  void update(const std::vector<std::string>& lines);
  // Prints `line` above the block (always, enabled or not); the block is drawn again below it.
  void event(const std::string& line);
  // Erases the block before something else writes to the terminal (another stream); the next
  // update() draws it again.
  void clear();
  // Stops drawing, leaving the last block on the terminal.
  void finish();
  bool terminal() const { return tty_; }

 private:
  void draw();

  std::FILE* out_;
  bool enabled_;
  bool tty_;
  double every_;
  std::vector<std::string> lines_;              // the block's current lines
  std::size_t shown_ = 0;                       // lines of it on the terminal now
  std::chrono::steady_clock::time_point last_;  // of the last update (or construction)
  bool updated_ = false;                        // update() showed something once
};

}  // namespace rein::cli
