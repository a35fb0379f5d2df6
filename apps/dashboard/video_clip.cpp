// VideoClip: frame n is due at n / fps seconds; decoding catches up at most one second per call.
#include "apps/dashboard/video_clip.h"

#include <cmath>
#include <utility>

#include "base/error.h"

namespace rein::dashboard {

VideoClip::VideoClip(std::string path)
    : path_(std::move(path)),
      reader_(path_),
      fps_(reader_.info().fps > 0 ? reader_.info().fps : 30.0) {
  if (!reader_.next(frame_)) throw Error(str("video: '", path_, "' has no frames"));
}

bool VideoClip::advance(double seconds) {
  if (!(seconds > 0)) return false;
  clock_ += seconds;
  const auto due = static_cast<std::int64_t>(std::floor(clock_ * fps_ + 1e-9));
  bool changed = false;
  for (int decoded = 0; index_ < due && decoded < static_cast<int>(fps_) + 1; ++decoded) {
    if (!reader_.next(frame_)) {  // past the last frame: start over, the clock with it
      restart();
      return true;
    }
    ++index_;
    changed = true;
  }
  if (index_ < due) clock_ = static_cast<double>(index_) / fps_;  // fell behind: drop the debt
  return changed;
}

void VideoClip::restart() {
  reader_.rewind();
  if (!reader_.next(frame_)) throw Error(str("video: '", path_, "' has no frames"));
  clock_ = 0.0;
  index_ = 0;
}

}  // namespace rein::dashboard
