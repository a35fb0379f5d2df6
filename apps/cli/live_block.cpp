// LiveBlock: ANSI cursor movement on a terminal, plain lines elsewhere.
#include "apps/cli/live_block.h"

#include <unistd.h>

#include <algorithm>

#include "apps/cli/text_table.h"

namespace rein::cli {

std::string progress_bar(double fraction, int width) {
  if (!(fraction > 0)) fraction = 0;  // NaN too
  const int filled = static_cast<int>(std::min(1.0, fraction) * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  return "[" + bar + "]";
}

LiveBlock::LiveBlock(std::FILE* out, bool enabled, double terminal_every, double plain_every)
    : out_(out),
      enabled_(enabled),
      tty_(isatty(fileno(out)) != 0),
      every_(tty_ ? terminal_every : plain_every),
      last_(std::chrono::steady_clock::now()) {}

LiveBlock::~LiveBlock() { finish(); }

bool LiveBlock::due() const {
  if (!enabled_) return false;
  if (tty_ && !updated_) return true;  // a terminal shows the block at once; a log after a while
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= every_;
}

void LiveBlock::update(const std::vector<std::string>& lines) {
  if (!due()) return;
  last_ = std::chrono::steady_clock::now();
  updated_ = true;
  lines_ = lines;
  if (tty_) {
    draw();
    return;
  }
  for (const std::string& l : lines_) std::fprintf(out_, "%s\n", l.c_str());
  std::fflush(out_);
}

void LiveBlock::clear() {
  if (shown_ == 0) return;
  // Up to the block's first line, then erase to the end of the screen.
  std::fprintf(out_, "\r\x1b[%zuA\x1b[J", shown_);
  shown_ = 0;
  std::fflush(out_);
}

void LiveBlock::draw() {
  const std::size_t width = terminal_columns(fileno(out_));
  std::string text;
  if (shown_ > 0) text = "\r\x1b[" + std::to_string(shown_) + "A\x1b[J";
  // One column short of the width: a line that fills it exactly would wrap on some terminals.
  for (const std::string& l : lines_) text += fit(l, width > 1 ? width - 1 : 0) + "\n";
  std::fputs(text.c_str(), out_);
  shown_ = lines_.size();
  std::fflush(out_);
}

void LiveBlock::event(const std::string& line) {
  clear();
  std::fprintf(out_, "%s\n", line.c_str());
  if (tty_ && enabled_ && !lines_.empty()) draw();
  std::fflush(out_);
}

void LiveBlock::finish() {
  enabled_ = false;
  shown_ = 0;  // what is on the terminal stays
  lines_.clear();
}

}  // namespace rein::cli
