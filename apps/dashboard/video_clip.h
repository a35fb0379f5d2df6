// A recorded episode video (a run's "video" artifact, `rein train --video-every`) played on a
// clock beside the agent viewer's live replay: frames are decoded as time passes, at the
// video's own rate, looping at the end. No ImGui or OpenGL here, so tests drive it directly.
#pragma once

#include <cstdint>
#include <string>

#include "envs/render.h"
#include "envs/video/video.h"

namespace rein::dashboard {

class VideoClip {
 public:
  // Opens and decodes the first frame; throws rein::Error naming the file when it is no video.
  explicit VideoClip(std::string path);

  // Moves the clock on by `seconds` and decodes up to the frame then due (starting over after
  // the last one). Returns whether the current frame changed.
  bool advance(double seconds);
  void restart();

  const envs::RgbImage& frame() const { return frame_; }
  std::int64_t frame_index() const { return index_; }
  double fps() const { return fps_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  video::Mp4Reader reader_;
  envs::RgbImage frame_;
  double fps_;
  double clock_ = 0.0;      // seconds since the first frame
  std::int64_t index_ = 0;  // the frame shown
};

}  // namespace rein::dashboard
